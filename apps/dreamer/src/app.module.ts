import { Module, type DynamicModule } from '@nestjs/common';
import { DREAMER_TOPICS, DreamerModule, type Clock } from '@reverie/dreaming-feature';
import { ConsumerHealth, KAFKA_CLIENT, KafkaBatchServer } from '@reverie/kafka';
import { PlatformModule, type ServiceDefinition } from '@reverie/service-kit';
import { WEBHOOK_TOPICS, WebhookDeliveryModule } from '@reverie/webhooks-feature';
import type { DreamerConfig } from './config/dreamer.config';

/**
 * Reviews past sessions and writes playbooks: runs dreams asked for through the gateway or due on
 * an agent's schedule, each through the dream pipeline, and delivers webhooks about them.
 */
@Module({})
export class AppModule {
  /** `clock`: where schedules and idle windows read the time (a test's; the system's by default). */
  static register(config: DreamerConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The platform creates each topic once, whichever modules name it.
        PlatformModule.forRoot(config, { topics: [...DREAMER_TOPICS, ...WEBHOOK_TOPICS] }),
        DreamerModule.register(config, clock),
        WebhookDeliveryModule.register(config.webhooks),
      ],
    };
  }
}

/** How the dreamer starts: health over HTTP; dream requests, dream ends and playbook versions from Kafka. */
export const service: ServiceDefinition<DreamerConfig> = {
  module: (config) => AppModule.register(config),
  transport: (app, config) =>
    new KafkaBatchServer({
      kafka: app.get(KAFKA_CLIENT),
      health: app.get(ConsumerHealth),
      settings: config.kafka,
    }),
};
