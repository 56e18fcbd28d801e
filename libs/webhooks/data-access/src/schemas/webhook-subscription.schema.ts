import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { WebhookEventType } from '@reverie/webhooks-domain';
import type { HydratedDocument } from 'mongoose';

/**
 * Where a tenant wants to hear about some event types: a URL and the secret its deliveries are
 * signed with. The secret is stored as is: the sender needs it to sign every attempt.
 */
@Schema({ collection: 'webhook_subscriptions', minimize: false, versionKey: false })
export class WebhookSubscription {
  /** `whk_…`. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) url!: string;
  @Prop({ type: [String], required: true }) eventTypes!: WebhookEventType[];
  @Prop({ type: String, default: null }) description!: string | null;
  /** `whsec_<base64>`; shown to the user once, when the subscription is created. */
  @Prop({ required: true }) secret!: string;
  @Prop({ type: Boolean, default: true }) enabled!: boolean;
  /** Why the platform turned it off (the endpoint answered 410 Gone), or null. */
  @Prop({ type: String, default: null }) disabledReason!: string | null;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}

export type WebhookSubscriptionDocument = HydratedDocument<WebhookSubscription>;
export const WebhookSubscriptionSchema = SchemaFactory.createForClass(WebhookSubscription);
// Serves: GET /v1/webhooks (a tenant's subscriptions, newest first).
WebhookSubscriptionSchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
// Serves: fan-out, the enabled subscriptions of some tenants to some event types.
WebhookSubscriptionSchema.index({ tenantId: 1, eventTypes: 1, enabled: 1 });
