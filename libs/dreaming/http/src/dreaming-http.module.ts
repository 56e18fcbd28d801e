import { Module } from '@nestjs/common';
import { DreamingDataAccessModule } from '@reverie/dreaming-data-access';
import { ApiKeyGuard } from '@reverie/http';
import { PlaybooksDataAccessModule } from '@reverie/playbooks-data-access';
import { SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import { AgentDreamingController, AgentDreamingService } from './agent-dreaming.controller';
import { DreamingPauseController, DreamingPauseService } from './dreaming-pause.controller';
import { DreamsController } from './dreams.controller';
import { DreamsService } from './dreams.service';

/**
 * The dreaming domain's REST API: /v1/dreams (ask for, list, read, cancel, archive, report),
 * /v1/dreaming/pause (the kill switch) and /v1/agents/:id/dreaming (an agent's dreaming now:
 * paused, schedule with its next slot, budget spent today). Needs Mongoose and Kafka
 * (`EventPublisher`) from the platform module, and the app's `HttpErrorsModule` and `ApiKeysAuthModule`.
 */
@Module({
  imports: [DreamingDataAccessModule, SessionsReadersModule, PlaybooksDataAccessModule],
  controllers: [DreamsController, DreamingPauseController, AgentDreamingController],
  providers: [ApiKeyGuard, DreamsService, DreamingPauseService, AgentDreamingService],
})
export class DreamingHttpModule {}
