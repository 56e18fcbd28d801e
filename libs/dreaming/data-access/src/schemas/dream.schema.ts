import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { DreamStatus, DreamUsage } from '@reverie/dreaming-domain';
import type { HydratedDocument } from 'mongoose';

/** Which sessions a dream reviews: these ids, or the agent's ended sessions since its last dream. */
export type DreamSessionsInput =
  { type: 'sessions'; sessionIds: string[] } | { type: 'since_last_dream'; limit: number };

/** The model settings of the dream itself (its reflector), separate from the agent's. */
export interface DreamModelSettings {
  provider: 'builtin' | 'anthropic';
  model?: string;
  maxTokens?: number;
}

export interface DreamProgress {
  stage: string;
  completed: number;
  total: number;
  message: string;
}

export interface DreamOutputRecord {
  role: string | null;
  version: number;
  status: 'active' | 'proposed';
  /** The canary trial a proposed version went on (a person does not review it: the trial decides). */
  trialId?: string;
}

/**
 * One dream: what was asked, where it is, what it spent and what it made. The gateway inserts it
 * `pending` (and cancels it while still pending); from then on the dreamer holding its lease is the
 * only writer, every write conditional on that lease, except the `stranded*` counters, which a
 * replica that lost the lease increments (no lease holder writes them). No write spans two documents.
 */
@Schema({ collection: 'dreams', minimize: false, versionKey: false })
export class Dream {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop({ type: String, required: true }) status!: DreamStatus;
  @Prop({ type: Object, required: true }) input!: DreamSessionsInput;
  @Prop({ type: String, default: '' }) instructions!: string;
  @Prop({ type: Object, required: true }) model!: DreamModelSettings;
  /** The agent's publish setting when the dream was asked for. */
  @Prop({ type: String, required: true }) publish!: 'apply' | 'propose';
  /** Tokens the dream may spend (its own budget, or what is left of the agent's day); null: no limit. */
  @Prop({ type: Number, default: null }) tokenBudget!: number | null;
  /**
   * A scheduled dream must end by then (its idle window closes): it stops at the next stage
   * boundary, progress heartbeat or lease renewal after it, before publishing. Null: no limit.
   */
  @Prop({ type: Date, default: null }) runUntil!: Date | null;
  /** `api` (POST /v1/dreams) or `schedule`. */
  @Prop({ type: String, default: 'api' }) trigger!: string;
  @Prop({ type: String, default: null }) stage!: string | null;
  @Prop({ type: Object, default: null }) progress!: DreamProgress | null;
  @Prop({ type: Object, required: true }) usage!: DreamUsage;
  @Prop({ type: Number, default: 0 }) simulations!: number;
  /**
   * What runs that lost the lease spent after their last heartbeat (another replica had taken the
   * dream over): never in `usage`, which the lease holder writes whole; the API and the agent's
   * daily budget add the two. Absent (never null, so that `$inc` can create it): nothing.
   */
  @Prop({ type: Object }) strandedUsage?: DreamUsage;
  @Prop({ type: Number, default: 0 }) strandedSimulations!: number;
  @Prop({ type: String, default: null }) environment!: string | null;
  @Prop({ type: Number, default: 0 }) sessionsReviewed!: number;
  @Prop({ type: [Object], default: [] }) outputs!: DreamOutputRecord[];
  @Prop({ type: Object, default: null }) error!: { type: string; message: string } | null;
  /** The dream report (the dreaming domain's DreamReport), once written. */
  @Prop({ type: Object, default: null }) report!: Record<string, unknown> | null;
  /**
   * The last session this dream reviewed, in (end time, id) order: where "since the last dream"
   * starts next time.
   */
  @Prop({ type: Date, default: null }) reviewedUntil!: Date | null;
  @Prop({ type: String, default: null }) reviewedUntilSession!: string | null;
  /**
   * Runs started (a dream whose replica died is run again, a bounded number of times: from its
   * checkpoint when it kept one, see DreamCheckpointDoc, else from the start).
   */
  @Prop({ type: Number, default: 0 }) attempts!: number;
  @Prop({ type: String, default: null }) leaseOwner!: string | null;
  /** A pending or running dream whose lease ran out is taken over by a dreamer's sweep. */
  @Prop({ type: Date, required: true }) leaseUntil!: Date;
  @Prop({ type: Date, default: null }) cancelRequestedAt!: Date | null;
  @Prop({ type: Date, default: null }) archivedAt!: Date | null;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, default: null }) startedAt!: Date | null;
  @Prop({ type: Date, default: null }) endedAt!: Date | null;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
  /**
   * Set (true) by the same update that ends the dream, removed once `dream.ended` is published:
   * while it is there, the dreamers' sweep announces the end again (Kafka may have refused it).
   * Absent on dreams that ended before the field existed.
   */
  @Prop({ type: Boolean }) announcePending?: boolean;
}

export type DreamDocument = HydratedDocument<Dream>;
export const DreamSchema = SchemaFactory.createForClass(Dream);
// Serves: GET /v1/dreams (newest first, paged by (createdAt, _id)), with agent and status filters.
DreamSchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
DreamSchema.index({ tenantId: 1, agentId: 1, createdAt: -1, _id: -1 });
// Serves: the sweep for dreams whose lease ran out, its safety net for unfinished dreams that
// lost their agent lock (`DreamQueueRepository.restoreLostLocks`), and the last completed dream of
// an agent.
DreamSchema.index({ status: 1, leaseUntil: 1 });
// Serves: the sweep for ended dreams whose `dream.ended` is still to be published, oldest first
// (`{ announcePending: true, endedAt: { $lt } }`). Sparse: only those dreams carry the field.
DreamSchema.index({ announcePending: 1, endedAt: 1 }, { sparse: true });

/**
 * At most one unfinished dream per agent: a document whose `_id` is the agent's key, inserted
 * before the dream and removed when it ends. Unique `_id` is the guard, so no transaction is needed.
 * One document per unfinished dream, so also the small list the dreamers choose waiting dreams from.
 */
@Schema({ collection: 'dream_locks', versionKey: false })
export class DreamLock {
  /** `<tenantId>/<agentId>`. */
  @Prop({ type: String, required: true }) _id!: string;
  /** The tenant (absent on locks taken before it was stored: then the part of `_id` before `/`). */
  @Prop({ type: String }) tenantId?: string;
  @Prop({ required: true }) dreamId!: string;
  /**
   * When the lock was written (as the dream was asked for; a lock the sweep gave back keeps its
   * dream's creation time): the order the dreamers hand free slots out in, and how long a lock
   * has gone without its dream (see DreamQueueRepository).
   */
  @Prop({ type: Date, required: true }) createdAt!: Date;
}
export const DreamLockSchema = SchemaFactory.createForClass(DreamLock);
