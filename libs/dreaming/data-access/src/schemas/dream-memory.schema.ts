import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * What the dreams of one agent in one environment remember (the dreaming domain's DreamMemory):
 * candidates validated and refused, so later dreams skip them. One document per (tenant, agent,
 * environment), `_id` = `${tenantId}:${agentId}:${environment}`; written by the dreamer only.
 */
@Schema({ collection: 'dream_memories', versionKey: false })
export class DreamMemoryDoc {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) tenantId!: string;
  @Prop({ type: String, required: true }) agentId!: string;
  @Prop({ type: String, required: true }) environment!: string;
  @Prop({ type: [Object], default: [] }) refused!: Record<string, unknown>[];
  @Prop({ type: Number, default: 0 }) tried!: number;
  @Prop({ type: Number, default: 0 }) dreams!: number;
  @Prop({ type: Boolean, default: false }) lastExhausted!: boolean;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}
export const DreamMemorySchema = SchemaFactory.createForClass(DreamMemoryDoc);
// Reads and writes go by `_id` (tenant, agent and environment in it): no secondary index.
