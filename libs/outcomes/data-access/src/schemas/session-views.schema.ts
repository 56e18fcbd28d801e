import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type {
  FEEDBACK_RATINGS,
  RunSpec,
  SessionEndStatus,
  SessionEventBody,
} from '@reverie/contracts';

/*
 * Read-only views of collections the session gateway owns and writes (`sessions`,
 * `session_events`, `feedback`). They declare no indexes and never create the collection
 * (`autoIndex: false`, `autoCreate: false`): the gateway's own schemas own both. Their model names
 * are distinct so that they can live next to the gateway's models in one app.
 */
const READ_ONLY = { autoIndex: false, autoCreate: false, versionKey: false } as const;

/** A session as the grader needs it (`sessions`, written by the gateway). */
@Schema({ ...READ_ONLY, collection: 'sessions' })
export class OutcomeSessionView {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop({ type: String, required: true }) status!: 'running' | SessionEndStatus;
  @Prop({ type: String, required: true }) source!: 'external' | 'managed';
  @Prop({ type: Object }) run?: RunSpec;
  /** The attempt the session is on; absent: 1. */
  @Prop() iteration?: number;
  @Prop() endReason?: string;
  @Prop() endedAt?: Date;
  /** Highest stored event seq (= stored event count). */
  @Prop({ default: 0 }) lastSeq!: number;
}

/** One stored session event (`session_events`, written by the gateway's ingest). */
@Schema({ ...READ_ONLY, collection: 'session_events', minimize: false })
export class OutcomeSessionEventView {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) sessionId!: string;
  @Prop({ required: true }) seq!: number;
  /** The event as the client sent it (validated). */
  @Prop({ type: Object, required: true }) body!: SessionEventBody;
}

/** One piece of feedback on a session (`feedback`, written by the gateway's ingest). */
@Schema({ ...READ_ONLY, collection: 'feedback' })
export class OutcomeFeedbackView {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) sessionId!: string;
  @Prop({ type: String, required: true }) rating!: (typeof FEEDBACK_RATINGS)[number];
  @Prop() comment?: string;
  /** The client event id the feedback is about. */
  @Prop() eventId?: string;
  @Prop({ required: true }) createdAt!: Date;
}

export const OutcomeSessionViewSchema = SchemaFactory.createForClass(OutcomeSessionView);
export const OutcomeSessionEventViewSchema = SchemaFactory.createForClass(OutcomeSessionEventView);
export const OutcomeFeedbackViewSchema = SchemaFactory.createForClass(OutcomeFeedbackView);
