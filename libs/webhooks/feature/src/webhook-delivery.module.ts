import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import type { TopicSpec } from '@reverie/kafka';
import { WebhooksDataAccessModule } from '@reverie/webhooks-data-access';
import {
  SYSTEM_CLOCK,
  WEBHOOK_CLOCK,
  WEBHOOK_DELIVERY_OPTIONS,
  type WebhookDeliveryOptions,
} from './webhook-delivery.options';
import { WebhookEventsController } from './webhook-events.controller';
import { WebhookFanout } from './webhook-fanout.service';
import { WebhookSender } from './webhook-sender.service';

/**
 * Delivers webhooks: consumes `dream.ended` and `playbook.version_activated` (the app connects
 * the Kafka transport), stores a pending delivery per matching subscription, and sends them
 * signed the Standard Webhooks way, with retries. Needs the platform's Mongo connection (the
 * gateway's database, where subscriptions live).
 */
@Module({})
export class WebhookDeliveryModule {
  static register(options: WebhookDeliveryOptions): DynamicModule {
    return {
      module: WebhookDeliveryModule,
      imports: [WebhooksDataAccessModule],
      controllers: [WebhookEventsController],
      providers: [
        { provide: WEBHOOK_DELIVERY_OPTIONS, useValue: options },
        { provide: WEBHOOK_CLOCK, useValue: options.clock ?? SYSTEM_CLOCK },
        WebhookFanout,
        WebhookSender,
      ],
      exports: [WebhookFanout, WebhookSender],
    };
  }
}

/** The topics webhook delivery consumes, for the platform to create at start-up. */
export const WEBHOOK_TOPICS: TopicSpec[] = [
  { topic: TOPICS.dreams, withDeadLetter: true },
  {
    topic: TOPICS.playbookVersions,
    withDeadLetter: true,
    config: { 'cleanup.policy': 'compact' },
  },
];
