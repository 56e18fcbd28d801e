import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * When a tenant's dream last got a slot (one document per tenant that has dreamed): the turn order
 * of tenants whose dreams wait, so a free slot goes to the tenant served longest ago. Written by
 * the dreamer replicas only, one upsert by `_id` per dream started.
 */
@Schema({ collection: 'dream_turns', versionKey: false })
export class DreamTurn {
  /** The tenant id. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Date, required: true }) lastClaimedAt!: Date;
}
export const DreamTurnSchema = SchemaFactory.createForClass(DreamTurn);
