import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getConnectionToken, getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { migrateEventsToPages } from './migrations/event-pages.migration';
import { AgentRepository } from './repositories/agent.repository';
import { SessionsReadersModule } from './readers/sessions-readers.module';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { BatchRepository } from './repositories/batch.repository';
import { FeedbackRepository } from './repositories/feedback.repository';
import { SessionEventRepository } from './repositories/session-event.repository';
import { SessionRepository } from './repositories/session.repository';
import { Agent, AgentSchema } from './schemas/agent.schema';
import { ApiKey, ApiKeySchema } from './schemas/api-key.schema';
import { Batch, BatchSchema } from './schemas/batch.schema';
import { Feedback, FeedbackSchema } from './schemas/feedback.schema';
import { SessionEventPage, SessionEventPageSchema } from './schemas/session-event-page.schema';
import { Session, SessionSchema } from './schemas/session.schema';

const MODELS = [
  { name: Agent.name, schema: AgentSchema },
  { name: Session.name, schema: SessionSchema },
  { name: SessionEventPage.name, schema: SessionEventPageSchema },
  { name: Feedback.name, schema: FeedbackSchema },
  { name: ApiKey.name, schema: ApiKeySchema },
  { name: Batch.name, schema: BatchSchema },
];

const REPOSITORIES = [
  AgentRepository,
  SessionRepository,
  SessionEventRepository,
  FeedbackRepository,
  ApiKeyRepository,
  BatchRepository,
];

/**
 * The gateway's collections, with their writers and the readers other services use (re-exported
 * from SessionsReadersModule). Unique indexes are built, and events of the one-document-per-event
 * layout moved into pages, before the service takes traffic.
 */
@Module({
  imports: [MongooseModule.forFeature(MODELS), SessionsReadersModule],
  providers: REPOSITORIES,
  exports: [...REPOSITORIES, SessionsReadersModule],
})
export class SessionsDataAccessModule implements OnModuleInit {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    // Idempotent ingest relies on the unique indexes existing before the first insert.
    await Promise.all(
      MODELS.map((m) =>
        this.moduleRef.get<Model<unknown>>(getModelToken(m.name), { strict: false }).init(),
      ),
    );
    // Events stored one document each by an earlier version move into pages before ingest starts
    // numbering after them (a no-op, one count, once they have moved).
    const connection = this.moduleRef.get<Connection>(getConnectionToken(), { strict: false });
    const logger = new Logger('EventPagesMigration');
    await migrateEventsToPages(connection, (line) => logger.log(line));
  }
}
