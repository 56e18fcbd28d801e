import { Inject, Injectable } from '@nestjs/common';
import {
  WebhookDeliveryRepository,
  WebhookSubscriptionRepository,
  type NewWebhookDelivery,
} from '@reverie/webhooks-data-access';
import { webhookEventsFor, webhookMessageId } from '@reverie/webhooks-domain';
import { WEBHOOK_CLOCK, type Clock } from './webhook-delivery.options';

/**
 * How long before its subscription was created an event may have happened and still be sent
 * to it: covers clock skew between the gateway and the services that announce events.
 */
const CREATED_GRACE_MS = 60_000;

/**
 * Turns Kafka messages into pending deliveries: each webhook event a message stands for, once
 * per enabled subscription of its tenant to its type that existed when it happened (a new
 * subscription is not sent the history a fresh consumer group replays). Idempotent: a delivery's
 * id derives from the message, so a redelivered message stores nothing new.
 */
@Injectable()
export class WebhookFanout {
  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    @Inject(WEBHOOK_CLOCK) private readonly clock: Clock,
  ) {}

  /** Returns how many new deliveries were stored. */
  async enqueue(messages: Array<{ type: string }>): Promise<number> {
    const events = messages.flatMap((m) => webhookEventsFor(m));
    if (events.length === 0) return 0;
    const subscriptions = await this.subscriptions.enabledFor(
      unique(events.map((e) => e.tenantId)),
      unique(events.map((e) => e.type)),
    );
    const deliveries: NewWebhookDelivery[] = events.flatMap((event) =>
      subscriptions
        .filter(
          (s) =>
            s.tenantId === event.tenantId &&
            s.eventTypes.includes(event.type) &&
            new Date(s.createdAt).getTime() <= event.occurredAt.getTime() + CREATED_GRACE_MS,
        )
        .map((s) => ({
          _id: webhookMessageId(event, s._id),
          tenantId: event.tenantId,
          subscriptionId: s._id,
          eventType: event.type,
          payload: event.payload,
        })),
    );
    return this.deliveries.enqueue(deliveries, this.clock.now());
  }
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];
