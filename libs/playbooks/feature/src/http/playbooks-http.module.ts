import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '@reverie/http';
import { PlaybooksDataAccessModule } from '@reverie/playbooks-data-access';
import { SessionsDataAccessModule } from '@reverie/sessions-data-access';
import { PlaybooksController } from './playbooks.controller';
import { PlaybooksService } from './playbooks.service';
import { TrialsController, TrialsService } from './trials.controller';

/**
 * The playbook REST API under /v1/agents/:agentId/playbook, and the agent's canary trials under
 * /v1/agents/:agentId/trials. Needs Mongoose and Kafka
 * (`EventPublisher`) from the platform module, and the app's `HttpErrorsModule` and
 * `ApiKeysAuthModule` (`@reverie/http`'s ApiKeyGuard asks it whose key a request carries).
 */
@Module({
  imports: [SessionsDataAccessModule, PlaybooksDataAccessModule],
  controllers: [PlaybooksController, TrialsController],
  providers: [ApiKeyGuard, PlaybooksService, TrialsService],
})
export class PlaybooksHttpModule {}
