import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '@reverie/http';
import { OutcomesDataAccessModule } from '@reverie/outcomes-data-access';
import { SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import { OutcomesController } from './outcomes.controller';
import { OutcomesService } from './outcomes.service';

/**
 * The outcomes domain's REST API: outcome definitions per agent (`/v1/agents/:id/outcome`), the
 * grader's outcomes (`/v1/sessions/:id/outcome`, `/v1/outcomes`) and regrade requests. Needs
 * Mongoose and Kafka (`EventPublisher`) from the platform module, and the app's
 * `HttpErrorsModule` and `ApiKeysAuthModule`.
 */
@Module({
  imports: [OutcomesDataAccessModule, SessionsReadersModule],
  controllers: [OutcomesController],
  providers: [ApiKeyGuard, OutcomesService],
})
export class OutcomesHttpModule {}
