import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { OutcomeDefinitionRepository } from './repositories/outcome-definition.repository';
import { OutcomeRepository } from './repositories/outcome.repository';
import { SessionReader } from './repositories/session.reader';
import {
  OutcomeDefinitionVersion,
  OutcomeDefinitionVersionSchema,
} from './schemas/outcome-definition.schema';
import { Outcome, OutcomeSchema } from './schemas/outcome.schema';
import {
  OutcomeFeedbackView,
  OutcomeFeedbackViewSchema,
  OutcomeSessionEventView,
  OutcomeSessionEventViewSchema,
  OutcomeSessionView,
  OutcomeSessionViewSchema,
} from './schemas/session-views.schema';

/** The collections this library writes (one writer each: see the repositories). */
const OWNED = [
  { name: OutcomeDefinitionVersion.name, schema: OutcomeDefinitionVersionSchema },
  { name: Outcome.name, schema: OutcomeSchema },
];
/** Read-only views of the gateway's collections: no indexes, never created here. */
const VIEWS = [
  { name: OutcomeSessionView.name, schema: OutcomeSessionViewSchema },
  { name: OutcomeSessionEventView.name, schema: OutcomeSessionEventViewSchema },
  { name: OutcomeFeedbackView.name, schema: OutcomeFeedbackViewSchema },
];
const PROVIDERS = [OutcomeDefinitionRepository, OutcomeRepository, SessionReader];

/**
 * `outcome_definitions` (written by the gateway), `outcomes` (written by the grader) and read-only
 * views of the gateway's sessions, events and feedback. Needs `MongooseModule.forRoot`.
 */
@Module({
  imports: [MongooseModule.forFeature([...OWNED, ...VIEWS])],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class OutcomesDataAccessModule implements OnModuleInit {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    // Concurrent definition changes are told apart by unique keys: build indexes before traffic.
    await Promise.all(
      OWNED.map((m) =>
        this.moduleRef.get<Model<unknown>>(getModelToken(m.name), { strict: false }).init(),
      ),
    );
  }
}
