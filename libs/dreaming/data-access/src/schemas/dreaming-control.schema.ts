import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * The kill switch: dreaming paused for a whole tenant (`_id` `<tenant>`) or one agent
 * (`<tenant>/<agent>`). Written by the gateway (PUT /v1/dreaming/pause), read by the dreamer.
 */
@Schema({ collection: 'dreaming_controls', versionKey: false })
export class DreamingControl {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ type: String, default: null }) agentId!: string | null;
  @Prop({ required: true }) paused!: boolean;
  @Prop({ type: String, default: null }) reason!: string | null;
  /** The API key id that set it. */
  @Prop({ type: String, default: null }) updatedBy!: string | null;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}
export const DreamingControlSchema = SchemaFactory.createForClass(DreamingControl);
