import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { OutcomeDefinitionRepository } from './repositories/outcome-definition.repository';
import { OutcomeRepository } from './repositories/outcome.repository';
import {
  OutcomeDefinitionHead,
  OutcomeDefinitionHeadSchema,
  OutcomeDefinitionVersion,
  OutcomeDefinitionVersionSchema,
} from './schemas/outcome-definition.schema';
import { Outcome, OutcomeSchema } from './schemas/outcome.schema';

/** The collections this library writes (one writer each: see the repositories). */
const OWNED = [
  { name: OutcomeDefinitionVersion.name, schema: OutcomeDefinitionVersionSchema },
  { name: OutcomeDefinitionHead.name, schema: OutcomeDefinitionHeadSchema },
  { name: Outcome.name, schema: OutcomeSchema },
];
const PROVIDERS = [OutcomeDefinitionRepository, OutcomeRepository];

/**
 * `outcome_definitions` and their heads (written by the gateway) and `outcomes` (written by the grader). Sessions,
 * their events and feedback are read through the sessions domain's SessionReader
 * (`@reverie/sessions-data-access/readers`). Needs `MongooseModule.forRoot`.
 */
@Module({
  imports: [MongooseModule.forFeature(OWNED)],
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
