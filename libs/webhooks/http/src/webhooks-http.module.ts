import { Module, type DynamicModule } from '@nestjs/common';
import { ApiKeyGuard } from '@reverie/http';
import { WebhooksDataAccessModule } from '@reverie/webhooks-data-access';
import { WebhooksController } from './webhooks.controller';
import { WEBHOOKS_HTTP_OPTIONS, type WebhooksHttpOptions } from './webhooks-http.options';
import { WebhooksService } from './webhooks.service';

/**
 * The webhooks domain's REST API, /v1/webhooks: subscriptions (stored with a new signing secret,
 * internal targets refused unless `allowedHosts` lists them) and their deliveries, which the
 * dreamer sends. Needs Mongoose from the platform module, and the app's `HttpErrorsModule` and
 * `ApiKeysAuthModule`.
 */
@Module({})
export class WebhooksHttpModule {
  static register(options: WebhooksHttpOptions): DynamicModule {
    return {
      module: WebhooksHttpModule,
      imports: [WebhooksDataAccessModule],
      controllers: [WebhooksController],
      providers: [
        { provide: WEBHOOKS_HTTP_OPTIONS, useValue: options },
        ApiKeyGuard,
        WebhooksService,
      ],
    };
  }
}
