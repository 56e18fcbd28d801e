import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { BatchRun } from '@reverie/sessions-domain';
import type { HydratedDocument } from 'mongoose';

/**
 * Many managed sessions started together, one per task. The batch holds what they share; its
 * progress is counted from its sessions (by `batchId`), never stored here, so it cannot drift.
 */
@Schema({ collection: 'batches', minimize: false, versionKey: false })
export class Batch {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop() title?: string;
  /** The run settings every session of the batch shares (each adds its own task). */
  @Prop({ type: Object, required: true }) run!: BatchRun;
  /** How many sessions (tasks) the batch has. */
  @Prop({ required: true }) total!: number;
  @Prop({ required: true }) createdAt!: Date;
}

export type BatchDocument = HydratedDocument<Batch>;
export const BatchSchema = SchemaFactory.createForClass(Batch);
// Serves: GET /v1/batches?agentId= (newest first, paged by id).
BatchSchema.index({ tenantId: 1, agentId: 1, _id: -1 });
// Serves: GET /v1/batches (a tenant's batches, newest first).
BatchSchema.index({ tenantId: 1, _id: -1 });
