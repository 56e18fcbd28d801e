import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { SessionEventBody, SessionEventType } from '@reverie/contracts';
import type { HydratedDocument } from 'mongoose';

@Schema({ collection: 'session_events', minimize: false, versionKey: false })
export class SessionEvent {
  /** Derived from (tenant, session, client event id): a re-sent event maps to the same _id. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) sessionId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop({ required: true }) seq!: number;
  @Prop({ required: true }) clientEventId!: string;
  @Prop({ type: String, required: true }) type!: SessionEventType;
  @Prop() actor?: string;
  @Prop() step?: number;
  @Prop({ type: Object, required: true }) body!: SessionEventBody;
  @Prop() occurredAt?: Date;
  @Prop({ required: true }) receivedAt!: Date;
  @Prop({ required: true }) storedAt!: Date;
}

export type SessionEventDocument = HydratedDocument<SessionEvent>;
export const SessionEventSchema = SchemaFactory.createForClass(SessionEvent);
// Serves: GET /v1/sessions/:id/events (in seq order, paged by seq), the last-seq lookup at ingest,
// and guarantees one event per (session, seq) even if two consumers raced.
SessionEventSchema.index({ tenantId: 1, sessionId: 1, seq: 1 }, { unique: true });
