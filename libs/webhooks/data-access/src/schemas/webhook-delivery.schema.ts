import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { WebhookEventType, WebhookPayload } from '@reverie/webhooks-domain';
import type { HydratedDocument } from 'mongoose';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * Why an attempt failed, in our own words: the kind of failure (`timeout`, `address_refused`,
 * `connection_refused`, `http_status`, …). The receiver's response body is never stored: a
 * webhook must not become a way to read what an address answers.
 */
export type WebhookAttemptErrorType = string;

/** One POST to the receiver: when, the status it answered, how long it took, and why it failed. */
export interface WebhookAttemptRecord {
  at: Date;
  /** The response status, or null when none came (refused address, network error, timeout). */
  statusCode: number | null;
  durationMs: number;
  /** The kind of failure; null on success. */
  errorType: WebhookAttemptErrorType | null;
  /** What the failure means and what to do, written by us; null on success. */
  error: string | null;
}

/**
 * One event addressed to one subscription, and its attempts. `_id` is the `webhook-id` (derived
 * from the source Kafka message and the subscription), so a redelivered message upserts the same
 * document. A pending delivery is due at `nextAttemptAt`; a sender claims it by moving that
 * forward by its lease and setting `leaseId`, and records the attempt only while it holds it.
 */
@Schema({ collection: 'webhook_deliveries', minimize: false, versionKey: false })
export class WebhookDelivery {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) subscriptionId!: string;
  @Prop({ type: String, required: true }) eventType!: WebhookEventType;
  /** The request body, `{type, timestamp, data}`. */
  @Prop({ type: Object, required: true }) payload!: WebhookPayload;
  @Prop({ type: String, required: true }) status!: WebhookDeliveryStatus;
  @Prop({ type: [Object], default: [] }) attempts!: WebhookAttemptRecord[];
  @Prop({ type: Number, default: 0 }) attemptCount!: number;
  /** When a pending delivery is next due (or its claim runs out); null once it has ended. */
  @Prop({ type: Date, default: null }) nextAttemptAt!: Date | null;
  /** The claim of the sender making the current attempt, or null. */
  @Prop({ type: String, default: null }) leaseId!: string | null;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}

export type WebhookDeliveryDocument = HydratedDocument<WebhookDelivery>;
export const WebhookDeliverySchema = SchemaFactory.createForClass(WebhookDelivery);
// Serves: the sender's claim of the earliest due pending delivery.
WebhookDeliverySchema.index({ status: 1, nextAttemptAt: 1 });
// Serves: GET /v1/webhooks/:id/deliveries (newest first, by status) and deleting a subscription's.
WebhookDeliverySchema.index({ tenantId: 1, subscriptionId: 1, createdAt: -1, _id: -1 });
