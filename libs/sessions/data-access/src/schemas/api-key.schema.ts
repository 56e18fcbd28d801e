import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

@Schema({ collection: 'api_keys', versionKey: false })
export class ApiKey {
  /** The key id, the public middle part of `rvk_<id>_<secret>`. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) name!: string;
  /** SHA-256 of the secret; the secret itself is never stored. */
  @Prop({ required: true }) secretHash!: string;
  /** What the key may do beyond the ordinary API (`admin`: manage keys). Absent on old keys: none. */
  @Prop({ type: [String], default: undefined }) scopes?: string[];
  @Prop({ required: true }) createdAt!: Date;
  /** Written at most once a minute per key (see LAST_USED_WRITE_INTERVAL_MS). */
  @Prop() lastUsedAt?: Date;
  @Prop() revokedAt?: Date;
}

export type ApiKeyDocument = HydratedDocument<ApiKey>;
export const ApiKeySchema = SchemaFactory.createForClass(ApiKey);
// Serves: listing a tenant's keys, newest first, and counting its active ones (lookup at
// authentication is by _id).
ApiKeySchema.index({ tenantId: 1, createdAt: -1 });
