import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AgentRepository } from './repositories/agent.repository';
import { SessionsReadersModule } from './readers/sessions-readers.module';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { BatchRepository } from './repositories/batch.repository';
import { FeedbackRepository } from './repositories/feedback.repository';
import { IdempotencyKeyReader } from './repositories/idempotency-key.reader';
import { IdempotencyKeyWriter } from './repositories/idempotency-key.writer';
import { SessionEventRepository } from './repositories/session-event.repository';
import { SessionRepository } from './repositories/session.repository';
import { SessionWatermarkRepository } from './repositories/session-watermark.repository';
import { Agent, AgentSchema } from './schemas/agent.schema';
import { ApiKey, ApiKeySchema } from './schemas/api-key.schema';
import { Batch, BatchSchema } from './schemas/batch.schema';
import { Feedback, FeedbackSchema } from './schemas/feedback.schema';
import { IdempotencyKey, IdempotencyKeySchema } from './schemas/idempotency-key.schema';
import { SessionEventPage, SessionEventPageSchema } from './schemas/session-event-page.schema';
import { Session, SessionSchema } from './schemas/session.schema';

const MODELS = [
  { name: Agent.name, schema: AgentSchema },
  { name: Session.name, schema: SessionSchema },
  { name: SessionEventPage.name, schema: SessionEventPageSchema },
  { name: Feedback.name, schema: FeedbackSchema },
  { name: ApiKey.name, schema: ApiKeySchema },
  { name: Batch.name, schema: BatchSchema },
  { name: IdempotencyKey.name, schema: IdempotencyKeySchema },
];

const REPOSITORIES = [
  AgentRepository,
  SessionRepository,
  SessionEventRepository,
  SessionWatermarkRepository,
  FeedbackRepository,
  ApiKeyRepository,
  BatchRepository,
  IdempotencyKeyWriter,
  IdempotencyKeyReader,
];

/**
 * The gateway's collections, with their writers and the readers other services use (re-exported
 * from SessionsReadersModule). Unique indexes are built before the service takes traffic; events of
 * the one-document-per-event layout are moved into pages (or checked for) by the gateway's
 * SessionsMigrationsModule, not here, so other users of these repositories never migrate.
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
  }
}
