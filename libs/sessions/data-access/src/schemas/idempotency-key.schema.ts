import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

/**
 * One `Idempotency-Key` a tenant sent on a route (`POST /v1/sessions`,
 * `POST /v1/sessions/:id/feedback`), claimed by inserting it before the request does anything:
 * a duplicate key means the request was seen before. It holds everything a retry needs to answer
 * as the first request did: the resource id and the plan (the Kafka messages, re-published as
 * they are, and what the answer is built from). No transaction is needed: the insert decides.
 */
@Schema({ collection: 'idempotency_keys', versionKey: false })
export class IdempotencyKey {
  /** `<tenant>|<route>|<key>` (`idempotencyRecordId`): one document per tenant, route and key. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) route!: string;
  @Prop({ required: true }) key!: string;
  /** SHA-256 of the request (path parameters and body): another request under the key is refused. */
  @Prop({ required: true }) fingerprint!: string;
  /** The resource the request created (`ses_…`, `fbk_…`). */
  @Prop({ required: true }) resourceId!: string;
  /** JSON of the route's plan (its messages, and what its answer is built from). */
  @Prop({ required: true }) plan!: string;
  @Prop({ required: true }) createdAt!: Date;
  /** After this the key is forgotten: a claim takes it over, and a real MongoDB deletes it. */
  @Prop({ required: true }) expiresAt!: Date;
}

export type IdempotencyKeyDocument = HydratedDocument<IdempotencyKey>;
export const IdempotencyKeySchema = SchemaFactory.createForClass(IdempotencyKey);
// Serves no query: MongoDB's TTL monitor deletes a record once `expiresAt` has passed (the
// embedded server may keep it; a claim then treats it as absent and takes it over).
IdempotencyKeySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
// Serves: IdempotencyKeyWriter.claim taking over an expired record (a delete of exactly the record
// it read: `{ _id, expiresAt }`). Redundant on a real MongoDB (the _id decides); unique with
// exactly the filter's fields so the embedded MongoDB-wire server uses it instead of a scan.
IdempotencyKeySchema.index({ _id: 1, expiresAt: 1 }, { unique: true });
