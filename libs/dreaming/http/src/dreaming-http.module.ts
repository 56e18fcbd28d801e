import { Module } from '@nestjs/common';
import { DreamingDataAccessModule } from '@reverie/dreaming-data-access';
import { ApiKeyGuard } from '@reverie/http';
import { SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import { DreamingPauseController, DreamingPauseService } from './dreaming-pause.controller';
import { DreamsController } from './dreams.controller';
import { DreamsService } from './dreams.service';

/**
 * The dreaming domain's REST API: /v1/dreams (ask for, list, read, cancel, archive, report) and
 * /v1/dreaming/pause (the kill switch). Needs Mongoose and Kafka (`EventPublisher`) from the
 * platform module, and the app's `HttpErrorsModule` and `ApiKeysAuthModule`.
 */
@Module({
  imports: [DreamingDataAccessModule, SessionsReadersModule],
  controllers: [DreamsController, DreamingPauseController],
  providers: [ApiKeyGuard, DreamsService, DreamingPauseService],
})
export class DreamingHttpModule {}
