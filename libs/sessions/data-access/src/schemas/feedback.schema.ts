import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

@Schema({ collection: 'feedback', versionKey: false })
export class Feedback {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) sessionId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop({ type: String, required: true }) rating!: 'positive' | 'negative';
  @Prop() comment?: string;
  @Prop() eventId?: string;
  @Prop({ required: true }) createdAt!: Date;
}

export type FeedbackDocument = HydratedDocument<Feedback>;
export const FeedbackSchema = SchemaFactory.createForClass(Feedback);
// Serves: a session's feedback in id (= time) order (graders and dreams read it per session).
FeedbackSchema.index({ tenantId: 1, sessionId: 1, _id: 1 });
