import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A running dream's checkpoint (the dreaming domain's DreamCheckpoint): what its localise and
 * reflect stages produced, so another run of the same dream goes on from there. One document per
 * dream, `_id` = the dream's id; written by the dreamer running it, removed when the dream ends.
 * `body` is the checkpoint as JSON text: the drafts are the environment's own JSON (rule paths and
 * patterns may hold characters MongoDB field names may not), and nothing queries inside them.
 */
@Schema({ collection: 'dream_checkpoints', versionKey: false })
export class DreamCheckpointDoc {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) tenantId!: string;
  @Prop({ type: String, required: true }) body!: string;
  @Prop({ type: Date, required: true }) createdAt!: Date;
}
export const DreamCheckpointSchema = SchemaFactory.createForClass(DreamCheckpointDoc);
// Reads, writes and removals go by `_id` (the dream's id): no secondary index.
