import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * One of the global dream slots (`slot-0` … `slot-<limit-1>`): a running dream holds one, under a
 * lease it renews with its own. Written by the dreamer replicas only.
 */
@Schema({ collection: 'dream_slots', versionKey: false })
export class DreamSlot {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, default: null }) dreamId!: string | null;
  @Prop({ type: String, default: null }) owner!: string | null;
  /** Free once past, even if a holder never released it (its replica died). */
  @Prop({ type: Date, required: true }) leaseUntil!: Date;
}
export const DreamSlotSchema = SchemaFactory.createForClass(DreamSlot);
