import { PlaybooksDataAccessModule } from '@reverie/playbooks-data-access';
import { Module, type DynamicModule } from '@nestjs/common';
import { ApiKeyGuard } from '@reverie/http';
import { OutcomesDataAccessModule } from '@reverie/outcomes-data-access';
import { SessionsDataAccessModule } from '@reverie/sessions-data-access';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { BatchesController } from './batches.controller';
import { BatchesService } from './batches.service';
import { ManagedRunsService } from './managed-runs.service';
import { OutcomesController } from './outcomes.controller';
import { OutcomesService } from './outcomes.service';
import { SESSIONS_HTTP_OPTIONS, type SessionsHttpOptions } from './sessions-http.options';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/**
 * The public REST API for agents, sessions (external and managed), batches, events, feedback,
 * outcome definitions and outcomes, and dreams.
 */
@Module({})
export class SessionsHttpModule {
  static register(options: SessionsHttpOptions): DynamicModule {
    return {
      module: SessionsHttpModule,
      imports: [
        SessionsDataAccessModule,
        PlaybooksDataAccessModule,
        OutcomesDataAccessModule,
      ],
      controllers: [
        AgentsController,
        SessionsController,
        BatchesController,
        OutcomesController,
        ApiKeysController,
      ],
      providers: [
        { provide: SESSIONS_HTTP_OPTIONS, useValue: options },
        ApiKeyGuard,
        AgentsService,
        SessionsService,
        ManagedRunsService,
        BatchesService,
        OutcomesService,
        ApiKeysService,
      ],
    };
  }
}
