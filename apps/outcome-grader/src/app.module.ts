import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumerHealth, KAFKA_CLIENT, KafkaBatchServer } from '@reverie/kafka';
import { OUTCOME_GRADER_TOPICS, OutcomeGraderModule } from '@reverie/outcomes-feature';
import { PlatformModule, type ServiceDefinition } from '@reverie/service-kit';
import type { OutcomeGraderConfig } from './config/outcome-grader.config';

@Module({})
export class AppModule {
  static register(config: OutcomeGraderConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, { topics: OUTCOME_GRADER_TOPICS }),
        OutcomeGraderModule.register({
          gradeConcurrency: config.gradeConcurrency,
          judgeModel: config.judgeModel,
          datasetsDir: config.datasetsDir,
          anthropic: config.anthropic,
        }),
      ],
    };
  }
}

/** How the grader starts: health over HTTP, ended sessions and regrade requests from Kafka. */
export const service: ServiceDefinition<OutcomeGraderConfig> = {
  module: (config) => AppModule.register(config),
  transport: (app, config) =>
    new KafkaBatchServer({
      kafka: app.get(KAFKA_CLIENT),
      health: app.get(ConsumerHealth),
      // A session not stored yet is looked for GRADE_READ_ATTEMPTS times, then dead-lettered.
      settings: { ...config.kafka, maxHandlerRetries: config.readAttempts - 1 },
      // Grading waits on MongoDB reads and judge models: consume several partitions at once.
      partitionsConsumedConcurrently: Math.min(4, config.kafka.partitions),
    }),
};
