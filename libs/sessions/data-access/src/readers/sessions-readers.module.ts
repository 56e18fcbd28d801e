import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Agent, AgentSchema } from '../schemas/agent.schema';
import { Feedback, FeedbackSchema } from '../schemas/feedback.schema';
import { SessionEventPage, SessionEventPageSchema } from '../schemas/session-event-page.schema';
import { Session, SessionSchema } from '../schemas/session.schema';
import { AgentDreamingRepository } from './agent-dreaming.repository';
import { AgentReader } from './agent.reader';
import { SessionReader } from './session.reader';

/*
 * The owner's own models (same names, same schema objects as SessionsDataAccessModule), so an app
 * that imports both gets one model per collection: @nestjs/mongoose reuses a model already
 * registered under a name. Indexes are the owner's (declared with the schemas); a reader app
 * builds the same ones, and building an identical index again changes nothing.
 */
const MODELS = [
  { name: Session.name, schema: SessionSchema },
  { name: SessionEventPage.name, schema: SessionEventPageSchema },
  { name: Feedback.name, schema: FeedbackSchema },
  { name: Agent.name, schema: AgentSchema },
];
const PROVIDERS = [SessionReader, AgentDreamingRepository, AgentReader];

/**
 * What other services may use of the sessions domain's collections: SessionReader (sessions,
 * their events and feedback, read-only), AgentDreamingRepository (agents' dreaming settings,
 * and the schedule error the dreamer records) and AgentReader (an agent, read-only, for the
 * other domains' HTTP routes). Needs `MongooseModule.forRoot`.
 */
@Module({
  imports: [MongooseModule.forFeature(MODELS)],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class SessionsReadersModule implements OnModuleInit {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    // The reads lean on the owner's indexes (a session's events by seq, feedback by session).
    await Promise.all(
      MODELS.map((m) =>
        this.moduleRef.get<Model<unknown>>(getModelToken(m.name), { strict: false }).init(),
      ),
    );
  }
}
