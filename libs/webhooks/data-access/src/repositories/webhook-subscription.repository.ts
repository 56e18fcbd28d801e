import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { WebhookEventType } from '@reverie/webhooks-domain';
import type { Model } from 'mongoose';
import { WebhookSubscription } from '../schemas/webhook-subscription.schema';

/** One stored subscription (a plain object, with its secret). */
export type WebhookSubscriptionRecord = WebhookSubscription;

export type NewWebhookSubscription = Pick<
  WebhookSubscription,
  '_id' | 'tenantId' | 'url' | 'eventTypes' | 'description' | 'secret'
>;

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/** A tenant's webhook subscriptions. Every query names the tenant (or tenants). */
@Injectable()
export class WebhookSubscriptionRepository {
  constructor(
    @InjectModel(WebhookSubscription.name)
    private readonly subscriptions: Model<WebhookSubscription>,
  ) {}

  async create(
    input: NewWebhookSubscription,
    now = new Date(),
  ): Promise<WebhookSubscriptionRecord> {
    const record: WebhookSubscriptionRecord = {
      ...input,
      enabled: true,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.subscriptions.create(record);
    return record;
  }

  /** Newest first. */
  list(tenantId: string, limit = 100): Promise<WebhookSubscriptionRecord[]> {
    return this.subscriptions
      .find({ tenantId })
      .sort(NEWEST_FIRST)
      .limit(limit)
      .lean<WebhookSubscriptionRecord[]>()
      .exec();
  }

  count(tenantId: string): Promise<number> {
    return this.subscriptions.countDocuments({ tenantId }).exec();
  }

  findById(tenantId: string, id: string): Promise<WebhookSubscriptionRecord | null> {
    return this.subscriptions
      .findOne({ _id: id, tenantId })
      .lean<WebhookSubscriptionRecord>()
      .exec();
  }

  /** True when it existed. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const { deletedCount } = await this.subscriptions.deleteOne({ _id: id, tenantId }).exec();
    return deletedCount > 0;
  }

  /** The enabled subscriptions of any of `tenantIds` to any of `eventTypes` (for fan-out). */
  enabledFor(
    tenantIds: string[],
    eventTypes: WebhookEventType[],
  ): Promise<Pick<WebhookSubscriptionRecord, '_id' | 'tenantId' | 'eventTypes' | 'createdAt'>[]> {
    if (tenantIds.length === 0 || eventTypes.length === 0) return Promise.resolve([]);
    return this.subscriptions
      .find(
        { tenantId: { $in: tenantIds }, eventTypes: { $in: eventTypes }, enabled: true },
        // What fan-out needs: not the URL or the secret.
        { tenantId: 1, eventTypes: 1, createdAt: 1 },
      )
      .lean<Pick<WebhookSubscriptionRecord, '_id' | 'tenantId' | 'eventTypes' | 'createdAt'>[]>()
      .exec();
  }

  /** Turns a subscription off, saying why (the receiver answered 410 Gone). */
  async disable(tenantId: string, id: string, reason: string, now = new Date()): Promise<void> {
    await this.subscriptions
      .updateOne(
        { _id: id, tenantId },
        { $set: { enabled: false, disabledReason: reason, updatedAt: now } },
      )
      .exec();
  }
}
