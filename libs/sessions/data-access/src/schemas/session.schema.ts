import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { RunSpec } from '@reverie/contracts';
import type { SessionStatus } from '@reverie/sessions-domain';
import type { HydratedDocument } from 'mongoose';

@Schema({ collection: 'sessions', timestamps: true, minimize: false, versionKey: false })
export class Session {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop({ type: String, required: true }) status!: SessionStatus;
  @Prop({ type: String, required: true }) source!: 'external' | 'managed';
  @Prop() title?: string;
  @Prop({ type: Object }) metadata?: Record<string, unknown>;
  /** The playbook version the session ran with, from its started event (null: none). */
  @Prop({ type: Object, default: null }) playbook?: { playbookId: string; version: number } | null;
  /** For a multi-agent team: the playbook version each role ran with, by role (null: none). */
  @Prop({ type: Object })
  rolePlaybooks?: Record<string, { playbookId: string; version: number } | null>;
  /** The canary trial an external session ran in, and its arm (absent: none). */
  @Prop({ type: Object }) trial?: { trialId: string; arm: 'candidate' | 'control' };
  /** The batch a managed session belongs to. */
  @Prop() batchId?: string;
  /** What a managed session runs (environment, task, model settings); none for external ones. */
  @Prop({ type: Object }) run?: RunSpec;
  /** The attempt a managed session is on (the grader sent it back for revision); absent: 1. */
  @Prop() iteration?: number;
  @Prop() endedAt?: Date;
  @Prop() endReason?: string;
  /**
   * The latest attempt whose `session.ended` the ingest has stored. Events and the end travel on
   * one partition in order, so every event sent before that end is stored too; the gateway's own
   * write of the end (for its answer) says nothing about them. Absent on sessions ended before
   * this field existed.
   */
  @Prop() endStoredIteration?: number;
  /**
   * Whether feedback on the session is stored: false from the session's insert, set (never
   * cleared) by the ingest right after it stores a piece of feedback, so a reader that sees false
   * skips the `feedback` query (most sessions get none; on the embedded MongoDB-wire server that
   * query scans every piece of feedback of the store). Absent on sessions stored before this field
   * existed: unknown, so their feedback is read.
   */
  @Prop() hasFeedback?: boolean;
  /** Highest stored event seq; seqs are gap-free, so it is also the stored event count. */
  @Prop({ default: 0 }) lastSeq!: number;
  createdAt!: Date;
  updatedAt!: Date;
}

export type SessionDocument = HydratedDocument<Session>;
export const SessionSchema = SchemaFactory.createForClass(Session);
// Serves: a session by id in its tenant, `{ _id, tenantId }` (SessionReader.session, findById,
// upsertStarted, advanceLastSeq, markEndStored: once per session or stored batch, on the ingest's
// and the grader's path). Real MongoDB would use `_id` alone; the embedded MongoDB-wire server uses
// an index only when the filter's fields are exactly a unique index's, and otherwise scans every
// session (measured: 8 ms a lookup with 20,000 sessions, against 0.6 ms by `_id`). Unique because
// `_id` is.
SessionSchema.index({ _id: 1, tenantId: 1 }, { unique: true });
// Serves: a status change that depends on the status and attempt read just before,
// `{ _id, tenantId, status, iteration }` (SessionRepository.end, once per end, and
// startRevision): on the embedded server for the same reason as above. `iteration: null` finds a
// session stored without one. Unique because `_id` is.
SessionSchema.index({ _id: 1, tenantId: 1, status: 1, iteration: 1 }, { unique: true });
// Serves: GET /v1/sessions?agentId= (newest first, paged by id).
SessionSchema.index({ tenantId: 1, agentId: 1, _id: -1 });
// Serves: a batch's progress (its sessions by status), and its cancel (runningOfBatch, then
// countEndedAt).
SessionSchema.index({ tenantId: 1, batchId: 1, status: 1 });
// Serves: a batch's sessions in task order (GET /v1/batches/:id) and GET /v1/sessions?batchId=.
SessionSchema.index({ tenantId: 1, batchId: 1, _id: 1 });
// Serves: GET /v1/sessions?status= (newest first, paged by id).
SessionSchema.index({ tenantId: 1, status: 1, _id: -1 });
// Serves: GET /v1/sessions without filters (a tenant's sessions newest first, paged by id).
SessionSchema.index({ tenantId: 1, _id: -1 });
// Serves: SessionReader.endedForReview, a dream's collect stage (an agent's ended sessions after a
// (endedAt, _id) cursor, in that order). The embedded MongoDB-wire server uses no index here and
// scans `sessions`: one document per session (200 times fewer than events), bounded by how many
// sessions the store keeps, never by their events.
SessionSchema.index({ tenantId: 1, agentId: 1, endedAt: 1, _id: 1 });
