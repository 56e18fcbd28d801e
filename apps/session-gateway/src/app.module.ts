import { Module, type DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TOPICS } from '@reverie/contracts';
import { DreamingHttpModule } from '@reverie/dreaming-http';
import { useDatasets } from '@reverie/environments';
import { HttpErrorsModule, JSON_MEDIA_TYPES, jsonBodiesOnly, setupOpenApi } from '@reverie/http';
import { ConsumerHealth, KAFKA_CLIENT, KafkaBatchServer } from '@reverie/kafka';
import { OutcomesHttpModule } from '@reverie/outcomes-http';
import { PlaybooksHttpModule } from '@reverie/playbooks-feature';
import { PlatformModule, type ServiceDefinition } from '@reverie/service-kit';
import { SessionsMigrationsModule } from '@reverie/sessions-data-access';
import {
  API_KEY_TOPICS,
  ApiKeysAuthModule,
  ApiKeysHttpModule,
  SessionsHttpModule,
  SessionsIngestModule,
} from '@reverie/sessions-feature';
import { WebhooksHttpModule } from '@reverie/webhooks-http';
import type { GatewayConfig } from './config/gateway.config';
import { serveConsole } from './console/serve-console';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, {
          topics: [
            { topic: TOPICS.sessionEvents, withDeadLetter: true },
            { topic: TOPICS.runCommands },
            { topic: TOPICS.playbookVersions, config: { 'cleanup.policy': 'compact' } },
            // Regrade requests (POST /v1/outcomes/regrade) for the grader.
            { topic: TOPICS.outcomeCommands },
            // Dream requests (POST /v1/dreams) for the dreamer.
            { topic: TOPICS.dreamCommands },
            // API key revocations, read by every replica (ApiKeyRevocationsListener).
            ...API_KEY_TOPICS,
          ],
        }),
        // Data stored by earlier versions: migrated or checked (MIGRATIONS) before ingest and HTTP.
        SessionsMigrationsModule.forRoot(config.migrations),
        // The public API: errors rendered one way, keys verified one way, one module per domain.
        HttpErrorsModule,
        ApiKeysAuthModule,
        SessionsHttpModule.register({
          maxEventsPerRequest: config.maxEventsPerRequest,
          maxEventBytes: config.maxEventBytes,
          eventMessages: config.eventMessages,
        }),
        OutcomesHttpModule,
        DreamingHttpModule,
        WebhooksHttpModule.register({ allowedHosts: config.webhookAllowedHosts }),
        ApiKeysHttpModule,
        PlaybooksHttpModule,
        ...(config.ingestEnabled ? [SessionsIngestModule] : []),
      ],
    };
  }
}

/**
 * How the gateway starts: REST API with OpenAPI at /docs, the operator console at /console, plus
 * the session-event ingest.
 */
export const gatewayService: ServiceDefinition<GatewayConfig> = {
  module: (config) => {
    // Before any request: a managed task naming what the datasets do not hold (an unknown triage
    // case) is refused with a 400 at the door, not run and failed later.
    useDatasets(config.datasetsDir);
    return AppModule.register(config);
  },
  configureHttp: (app, config) => {
    // JSON only (startService leaves out Nest's default parsers, urlencoded among them): any
    // other body is a 415 before it is read.
    app.use(jsonBodiesOnly());
    (app as NestExpressApplication).useBodyParser('json', {
      limit: config.httpBodyLimit,
      type: JSON_MEDIA_TYPES,
    });
    setupOpenApi(app, '1');
    serveConsole(app as NestExpressApplication, config.consoleDir);
  },
  transport: (app, config) =>
    config.ingestEnabled
      ? new KafkaBatchServer({
          kafka: app.get(KAFKA_CLIENT),
          health: app.get(ConsumerHealth),
          settings: config.kafka,
          partitionsConsumedConcurrently: config.ingestPartitionsConcurrently,
          maxChunk: config.ingestMaxBatch,
        })
      : undefined,
};
