import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { WebhookEventType, WebhookPayload } from '@reverie/webhooks-domain';
import type { Model, QueryFilter } from 'mongoose';
import {
  WebhookDelivery,
  type WebhookAttemptRecord,
  type WebhookDeliveryStatus,
} from '../schemas/webhook-delivery.schema';

/** One stored delivery (a plain object). */
export type WebhookDeliveryRecord = WebhookDelivery;

export interface NewWebhookDelivery {
  /** The `webhook-id`. */
  _id: string;
  tenantId: string;
  subscriptionId: string;
  eventType: WebhookEventType;
  payload: WebhookPayload;
}

/** A delivery a sender holds until it records the attempt. */
export type ClaimedDelivery = WebhookDeliveryRecord & { leaseId: string };

/** How an attempt leaves the delivery: done, failed for good, or due again at `nextAttemptAt`. */
export type AttemptOutcome =
  { status: 'succeeded' } | { status: 'failed' } | { status: 'pending'; nextAttemptAt: Date };

export interface ListDeliveriesQuery {
  tenantId: string;
  subscriptionId: string;
  status?: WebhookDeliveryStatus;
  limit: number;
}

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * Deliveries and their attempts. Every write touches one document: enqueueing upserts by the
 * deterministic `webhook-id`, claiming is one conditional findOneAndUpdate, and recording an
 * attempt is conditional on the claim, so replicas never send the same attempt twice and no
 * transaction is needed.
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(
    @InjectModel(WebhookDelivery.name) private readonly deliveries: Model<WebhookDelivery>,
  ) {}

  /**
   * Stores deliveries due at `now`; one whose id is already stored (a redelivered Kafka message)
   * is left as it is. Returns how many were new.
   */
  async enqueue(items: NewWebhookDelivery[], now = new Date()): Promise<number> {
    if (items.length === 0) return 0;
    const result = await this.deliveries.bulkWrite(
      items.map((item) => ({
        updateOne: {
          filter: { _id: item._id },
          update: {
            $setOnInsert: {
              tenantId: item.tenantId,
              subscriptionId: item.subscriptionId,
              eventType: item.eventType,
              payload: item.payload,
              status: 'pending',
              attempts: [],
              attemptCount: 0,
              nextAttemptAt: now,
              leaseId: null,
              createdAt: now,
              updatedAt: now,
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    return result.upsertedCount;
  }

  /**
   * Takes the earliest pending delivery due at `now` (across tenants: this is the sender's
   * queue), moving its `nextAttemptAt` to `now + leaseMs` so nobody else takes it meanwhile. If
   * the sender dies, the delivery is due again once the lease has run out. `skip` leaves out the
   * subscriptions and tenants the sender already has enough attempts in flight for, so their
   * due deliveries wait without holding up anyone else's.
   */
  claimDue(
    now: Date,
    leaseMs: number,
    skip: { subscriptionIds?: string[]; tenantIds?: string[] } = {},
  ): Promise<ClaimedDelivery | null> {
    const filter: QueryFilter<WebhookDelivery> = {
      status: 'pending',
      nextAttemptAt: { $lte: now },
    };
    if (skip.subscriptionIds?.length) filter.subscriptionId = { $nin: skip.subscriptionIds };
    if (skip.tenantIds?.length) filter.tenantId = { $nin: skip.tenantIds };
    return this.deliveries
      .findOneAndUpdate(
        filter,
        {
          $set: {
            nextAttemptAt: new Date(now.getTime() + leaseMs),
            leaseId: randomBytes(12).toString('hex'),
            updatedAt: now,
          },
        },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      )
      .lean<ClaimedDelivery>()
      .exec();
  }

  /**
   * Records an attempt and what follows from it, if the claim still holds. False when it does
   * not (the lease ran out and another sender took the delivery): the attempt is then dropped.
   */
  async recordAttempt(
    claimed: ClaimedDelivery,
    attempt: WebhookAttemptRecord,
    outcome: AttemptOutcome,
    now = new Date(),
  ): Promise<boolean> {
    const { modifiedCount } = await this.deliveries
      .updateOne(
        { _id: claimed._id, status: 'pending', leaseId: claimed.leaseId },
        {
          $push: { attempts: attempt },
          $inc: { attemptCount: 1 },
          $set: {
            status: outcome.status,
            nextAttemptAt: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
            leaseId: null,
            updatedAt: now,
          },
        },
      )
      .exec();
    return modifiedCount > 0;
  }

  /** Ends a claimed delivery without an attempt (its subscription is gone or turned off). */
  async drop(claimed: ClaimedDelivery): Promise<void> {
    await this.deliveries.deleteOne({ _id: claimed._id, leaseId: claimed.leaseId }).exec();
  }

  findById(tenantId: string, id: string): Promise<WebhookDeliveryRecord | null> {
    return this.deliveries.findOne({ _id: id, tenantId }).lean<WebhookDeliveryRecord>().exec();
  }

  /** A subscription's deliveries, newest first. */
  async list(q: ListDeliveriesQuery): Promise<{ data: WebhookDeliveryRecord[]; hasMore: boolean }> {
    const filter: QueryFilter<WebhookDelivery> = {
      tenantId: q.tenantId,
      subscriptionId: q.subscriptionId,
    };
    if (q.status) filter.status = q.status;
    const rows = await this.deliveries
      .find(filter)
      .sort(NEWEST_FIRST)
      .limit(q.limit + 1)
      .lean<WebhookDeliveryRecord[]>()
      .exec();
    return { data: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
  }

  /** Removes a deleted subscription's deliveries. */
  async deleteForSubscription(tenantId: string, subscriptionId: string): Promise<number> {
    const { deletedCount } = await this.deliveries.deleteMany({ tenantId, subscriptionId }).exec();
    return deletedCount;
  }
}
