import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumerHealth, KAFKA_CLIENT, KafkaBatchServer } from '@reverie/kafka';
import { ORCHESTRATION_TOPICS, OrchestrationModule } from '@reverie/orchestration-feature';
import { PlatformModule, type ServiceDefinition } from '@reverie/service-kit';
import type { OrchestratorConfig } from './config/orchestrator.config';

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, { topics: ORCHESTRATION_TOPICS }),
        OrchestrationModule.register({
          replicaId: config.replicaId,
          runConcurrency: config.runConcurrency,
          datasetsDir: config.datasetsDir,
          maxModelTurns: config.maxModelTurns,
          playbookCatchUpTimeoutMs: config.playbookCatchUpTimeoutMs,
          sessionWatchMs: config.sessionWatchMs,
          eventMessages: config.eventMessages,
          anthropic: config.anthropic,
        }),
      ],
    };
  }
}

/** How the orchestrator starts: health over HTTP, run commands from Kafka (group shared by replicas). */
export const service: ServiceDefinition<OrchestratorConfig> = {
  module: (config) => AppModule.register(config),
  transport: (app, config) =>
    new KafkaBatchServer({
      kafka: app.get(KAFKA_CLIENT),
      health: app.get(ConsumerHealth),
      settings: config.kafka,
      // Runs wait on environments and models, not on a shared store: let every partition this
      // replica owns feed the per-replica concurrency limit.
      partitionsConsumedConcurrently: Math.min(config.runConcurrency, config.kafka.partitions),
    }),
};
