import { PlaybooksDataAccessModule } from '@reverie/playbooks-data-access';
import { Module, type DynamicModule } from '@nestjs/common';
import { ApiKeyGuard } from '@reverie/http';
import { SessionsDataAccessModule } from '@reverie/sessions-data-access';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { BatchesController } from './batches.controller';
import { BatchesService } from './batches.service';
import { IdempotentRequests } from './idempotent-requests';
import { ManagedRunsService } from './managed-runs.service';
import { SESSIONS_HTTP_OPTIONS, type SessionsHttpOptions } from './sessions-http.options';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/**
 * The sessions domain's REST API: agents, sessions (external and managed) with their events and
 * feedback, and batches (API keys: ApiKeysHttpModule). The other domains serve theirs from their
 * own HTTP libs; the gateway composes them all.
 */
@Module({})
export class SessionsHttpModule {
  static register(options: SessionsHttpOptions): DynamicModule {
    return {
      module: SessionsHttpModule,
      imports: [SessionsDataAccessModule, PlaybooksDataAccessModule],
      controllers: [AgentsController, SessionsController, BatchesController],
      providers: [
        { provide: SESSIONS_HTTP_OPTIONS, useValue: options },
        ApiKeyGuard,
        AgentsService,
        SessionsService,
        ManagedRunsService,
        IdempotentRequests,
        BatchesService,
      ],
    };
  }
}
