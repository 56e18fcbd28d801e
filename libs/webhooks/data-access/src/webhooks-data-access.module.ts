import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { WebhookDeliveryRepository } from './repositories/webhook-delivery.repository';
import { WebhookSubscriptionRepository } from './repositories/webhook-subscription.repository';
import { WebhookDelivery, WebhookDeliverySchema } from './schemas/webhook-delivery.schema';
import {
  WebhookSubscription,
  WebhookSubscriptionSchema,
} from './schemas/webhook-subscription.schema';

const OWNED = [
  { name: WebhookSubscription.name, schema: WebhookSubscriptionSchema },
  { name: WebhookDelivery.name, schema: WebhookDeliverySchema },
];

/**
 * `webhook_subscriptions` and `webhook_deliveries`: the gateway manages subscriptions and reads
 * deliveries; the dreamer enqueues and sends them. Needs `MongooseModule.forRoot`.
 */
@Module({
  imports: [MongooseModule.forFeature(OWNED)],
  providers: [WebhookSubscriptionRepository, WebhookDeliveryRepository],
  exports: [WebhookSubscriptionRepository, WebhookDeliveryRepository],
})
export class WebhooksDataAccessModule implements OnModuleInit {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    await Promise.all(
      OWNED.map((m) =>
        this.moduleRef.get<Model<unknown>>(getModelToken(m.name), { strict: false }).init(),
      ),
    );
  }
}
