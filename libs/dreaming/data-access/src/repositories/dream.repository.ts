import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  isTerminal,
  TERMINAL_DREAM_STATUSES,
  totalTokens,
  ZERO_USAGE,
  type DreamStatus,
  type DreamUsage,
} from '@reverie/dreaming-domain';
import type { Model, QueryFilter } from 'mongoose';
import { DreamCheckpointDoc } from '../schemas/dream-checkpoint.schema';
import {
  Dream,
  DreamLock,
  type DreamProgress,
  type DreamOutputRecord,
} from '../schemas/dream.schema';
import { releaseEndedDream } from './release-dream';

/** One stored dream (a plain object). */
export type DreamRecord = Dream;

export type NewDream = Pick<
  Dream,
  '_id' | 'tenantId' | 'agentId' | 'input' | 'instructions' | 'model' | 'publish' | 'trigger'
> &
  Partial<Pick<Dream, 'tokenBudget' | 'runUntil'>>;

export type CreateResult =
  | { created: true; dream: DreamRecord }
  /** The agent already has an unfinished dream. */
  | { created: false; running: DreamRecord };

export interface ListDreamsQuery {
  tenantId: string;
  agentId?: string;
  status?: DreamStatus;
  createdAfter?: Date;
  createdBefore?: Date;
  includeArchived?: boolean;
  limit: number;
  /** Cursor: the last dream id of the previous page. */
  afterId?: string;
}

/** What a running dream reports as it goes. */
export interface DreamProgressPatch {
  stage?: string;
  progress?: DreamProgress | null;
  usage?: DreamUsage;
  simulations?: number;
  environment?: string | null;
  sessionsReviewed?: number;
}

export interface DreamEnding {
  status: Extract<DreamStatus, 'completed' | 'failed' | 'canceled'>;
  error?: { type: string; message: string } | null;
  report?: Record<string, unknown> | null;
  outputs?: DreamOutputRecord[];
  usage?: DreamUsage;
  simulations?: number;
  reviewedUntil?: Date | null;
  reviewedUntilSession?: string | null;
  environment?: string | null;
  sessionsReviewed?: number;
}

/** How long a pending dream waits for its request to be picked up before a sweep takes it. */
export const PENDING_GRACE_MS = 30_000;

/** The `_id` of an agent's lock (`dream_locks`). */
export const dreamLockId = (tenantId: string, agentId: string) => `${tenantId}/${agentId}`;
const lockId = dreamLockId;
const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;
const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * Dreams and the one-unfinished-dream-per-agent lock. Every write is to one document and, past
 * creation, conditional on the dream's status and lease holder, so two replicas (or a replica and
 * a cancel) can never both win.
 */
@Injectable()
export class DreamRepository {
  constructor(
    @InjectModel(Dream.name) private readonly dreams: Model<Dream>,
    @InjectModel(DreamLock.name) private readonly locks: Model<DreamLock>,
    @InjectModel(DreamCheckpointDoc.name)
    private readonly checkpoints: Model<DreamCheckpointDoc>,
  ) {}

  /**
   * Takes the agent's lock, then stores the dream `pending`. A lock whose dream has ended (a
   * replica died between ending it and releasing the lock) or never got stored is stale and is
   * taken over.
   *
   * `now` is the dream's creation time (the scheduler passes its tick's); the lock records when it
   * is written (the system clock at the write), since how long a lock has gone without its dream is
   * what tells a create in flight from one that died (`DreamQueueRepository.releaseIfStale`). Once
   * the dream is stored the lock is checked again: a replica that judged it stale meanwhile (this
   * create stalled past the grace between its two writes) may have removed it, and a pending dream
   * without a lock is never handed a slot, so it is put back; should another dream of the agent
   * have taken it, this one is withdrawn (no one has seen it yet) and that one is answered.
   */
  async create(input: NewDream, now = new Date()): Promise<CreateResult> {
    const id = lockId(input.tenantId, input.agentId);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.writeLock(id, input);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const lock = await this.locks.findById(id).lean<DreamLock>().exec();
        if (!lock) continue;
        const holder = await this.findById(input.tenantId, lock.dreamId);
        if (holder && !isTerminal(holder.status)) return { created: false, running: holder };
        // Stale (its dream ended, or never got stored within the grace of the lock's write, and
        // the lock was never released).
        if (!holder && Date.now() - new Date(lock.createdAt).getTime() <= PENDING_GRACE_MS)
          return { created: false, running: { ...this.placeholder(input, lock) } };
        // An ended holder's replica died before releasing it (maybe before its checkpoint went
        // too); the dream of a lock without one is looked for again right before the lock goes.
        if (holder) await this.release(holder);
        else if (!(await this.findById(input.tenantId, lock.dreamId)))
          await this.locks.deleteOne({ _id: id, dreamId: lock.dreamId }).exec();
        continue;
      }
      const dream = pendingDream(input, now, new Date(now.getTime() + PENDING_GRACE_MS));
      try {
        await this.dreams.create(dream);
      } catch (err) {
        await this.locks.deleteOne({ _id: id, dreamId: input._id }).exec();
        throw err;
      }
      if (await this.keepLock(id, input)) return { created: true, dream };
      // Another dream of the agent holds the lock: withdraw this one (still pending, unclaimed:
      // nothing can claim a dream without its lock) and answer that one on the next round.
      const withdrawn = await this.dreams
        .deleteOne({ _id: input._id, status: 'pending', leaseOwner: null })
        .exec();
      if (!withdrawn.deletedCount) return { created: true, dream };
    }
    throw new Error(`could not take the dream lock of agent ${input.agentId}; try again`);
  }

  /**
   * After the dream is stored: true when the agent's lock still names it, or did not exist any
   * more and was put back; false when another dream of the agent holds it.
   */
  private async keepLock(id: string, input: NewDream): Promise<boolean> {
    const lock = await this.locks.findById(id, { dreamId: 1 }).lean<DreamLock>().exec();
    if (lock) return lock.dreamId === input._id;
    try {
      await this.writeLock(id, input);
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const now = await this.locks.findById(id, { dreamId: 1 }).lean<DreamLock>().exec();
      return !now || now.dreamId === input._id;
    }
  }

  /** Inserts the agent's lock naming this dream, stamped with the write's own time. */
  private async writeLock(id: string, input: NewDream): Promise<void> {
    await this.locks.create({
      _id: id,
      tenantId: input.tenantId,
      dreamId: input._id,
      createdAt: new Date(),
    });
  }

  findById(tenantId: string, dreamId: string): Promise<DreamRecord | null> {
    return this.dreams.findOne({ _id: dreamId, tenantId }).lean<DreamRecord>().exec();
  }

  /** Newest first; archived dreams only when asked for. */
  async list(q: ListDreamsQuery): Promise<{ data: DreamRecord[]; hasMore: boolean }> {
    const filter: QueryFilter<Dream> = { tenantId: q.tenantId };
    if (q.agentId) filter.agentId = q.agentId;
    if (q.status) filter.status = q.status;
    if (!q.includeArchived) filter.archivedAt = null;
    const created: Record<string, Date> = {};
    if (q.createdAfter) created.$gte = q.createdAfter;
    if (q.createdBefore) created.$lt = q.createdBefore;
    if (Object.keys(created).length) filter.createdAt = created;
    if (q.afterId) {
      const cursor = await this.dreams
        .findOne({ _id: q.afterId, tenantId: q.tenantId }, { createdAt: 1 })
        .lean<Pick<DreamRecord, '_id' | 'createdAt'>>()
        .exec();
      if (!cursor) throw new UnknownDreamCursorError(q.afterId);
      filter.$or = [
        { createdAt: { $lt: cursor.createdAt } },
        { createdAt: cursor.createdAt, _id: { $lt: cursor._id } },
      ];
    }
    const rows = await this.dreams
      .find(filter)
      .sort(NEWEST_FIRST)
      .limit(q.limit + 1)
      .lean<DreamRecord[]>()
      .exec();
    return { data: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
  }

  /**
   * Where the agent's next "since the last dream" review starts: the last session its latest
   * completed such dream reviewed (dreams over named sessions do not count), or null when none
   * has (everything is new). Reads those two fields, not the dream's report.
   */
  async reviewedUpTo(
    tenantId: string,
    agentId: string,
  ): Promise<{ endedAt: Date; sessionId: string | null } | null> {
    const last = await this.dreams
      .findOne(
        { tenantId, agentId, status: 'completed', reviewedUntil: { $ne: null } },
        { reviewedUntil: 1, reviewedUntilSession: 1 },
      )
      .sort({ endedAt: -1 })
      .lean<Pick<DreamRecord, 'reviewedUntil' | 'reviewedUntilSession'>>()
      .exec();
    return last?.reviewedUntil
      ? { endedAt: last.reviewedUntil, sessionId: last.reviewedUntilSession ?? null }
      : null;
  }

  /** The agent's latest scheduled dream (whatever became of it), or null. */
  lastScheduled(
    tenantId: string,
    agentId: string,
  ): Promise<Pick<DreamRecord, '_id' | 'createdAt'> | null> {
    return this.dreams
      .findOne({ tenantId, agentId, trigger: 'schedule' }, { createdAt: 1 })
      .sort({ createdAt: -1 })
      .lean<Pick<DreamRecord, '_id' | 'createdAt'>>()
      .exec();
  }

  /**
   * Tokens the agent's dreams created since `since` have spent (all four kinds), with what runs
   * that lost their lease spent after their last heartbeat.
   */
  async tokensSince(tenantId: string, agentId: string, since: Date): Promise<number> {
    const rows = await this.dreams
      .find({ tenantId, agentId, createdAt: { $gte: since } }, { usage: 1, strandedUsage: 1 })
      .lean<Pick<Dream, 'usage' | 'strandedUsage'>[]>()
      .exec();
    return rows.reduce(
      (n, r) => n + totalTokens(r.usage) + totalTokens(r.strandedUsage ?? ZERO_USAGE),
      0,
    );
  }

  /**
   * Adds what a run spent after its last heartbeat to the dream's `stranded*` counters: the run
   * found the dream taken over, so its own record of `usage` can no longer be written. Whoever
   * holds the lease never writes these, so the increments need no lease.
   */
  async recordStranded(
    dreamId: string,
    spent: { usage: DreamUsage; simulations: number },
  ): Promise<void> {
    const inc: Record<string, number> = { strandedSimulations: spent.simulations };
    for (const [kind, n] of Object.entries(spent.usage)) inc[`strandedUsage.${kind}`] = n;
    await this.dreams.updateOne({ _id: dreamId }, { $inc: inc }).exec();
  }

  /** The ids of the tenant's (or one agent's) pending and running dreams. */
  async unfinishedIds(tenantId: string, agentId?: string): Promise<string[]> {
    const rows = await this.dreams
      .find(
        { tenantId, ...(agentId && { agentId }), status: { $in: ['pending', 'running'] } },
        { _id: 1 },
      )
      .lean<Pick<DreamRecord, '_id'>[]>()
      .exec();
    return rows.map((d) => d._id);
  }

  /**
   * Makes `owner` the dream's runner: a pending dream, or a pending or running one whose lease has
   * run out (its replica died), that has run fewer than `maxAttempts` times (the sweep fails those
   * that reached it). Null when someone else holds it, it has ended or run out of attempts.
   */
  claim(dreamId: string, owner: string, leaseMs: number, now = new Date(), maxAttempts?: number) {
    return this.dreams
      .findOneAndUpdate(
        {
          _id: dreamId,
          $or: [{ status: 'pending', leaseOwner: null }, { leaseUntil: { $lt: now } }],
          status: { $in: ['pending', 'running'] },
          ...(maxAttempts !== undefined && { attempts: { $lt: maxAttempts } }),
        },
        {
          $set: {
            status: 'running',
            leaseOwner: owner,
            leaseUntil: new Date(now.getTime() + leaseMs),
            startedAt: now,
            updatedAt: now,
          },
          $inc: { attempts: 1 },
        },
        { returnDocument: 'after' },
      )
      .lean<DreamRecord>()
      .exec();
  }

  /**
   * Unfinished dreams whose lease ran out: their request was lost or their replica died; with
   * `minAttempts`, only those that have run at least that many times.
   */
  expired(now = new Date(), limit = 10, minAttempts = 0): Promise<DreamRecord[]> {
    return this.dreams
      .find({
        status: { $in: ['pending', 'running'] },
        leaseUntil: { $lt: now },
        ...(minAttempts > 0 && { attempts: { $gte: minAttempts } }),
      })
      .sort({ leaseUntil: 1 })
      .limit(limit)
      .lean<DreamRecord[]>()
      .exec();
  }

  /**
   * Records progress and extends the lease. Answers whether `owner` still holds the dream and
   * whether someone asked to cancel it.
   */
  async heartbeat(
    dreamId: string,
    owner: string,
    leaseMs: number,
    patch: DreamProgressPatch = {},
    now = new Date(),
  ): Promise<{ held: boolean; cancelRequested: boolean }> {
    const set: Record<string, unknown> = {
      leaseUntil: new Date(now.getTime() + leaseMs),
      updatedAt: now,
    };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[k] = v;
    const doc = await this.dreams
      .findOneAndUpdate(
        { _id: dreamId, status: 'running', leaseOwner: owner },
        { $set: set },
        { returnDocument: 'after', projection: { cancelRequestedAt: 1 } },
      )
      .lean<Pick<Dream, 'cancelRequestedAt'>>()
      .exec();
    return { held: !!doc, cancelRequested: !!doc?.cancelRequestedAt };
  }

  /**
   * Gives back a dream `owner` stopped before it published anything because its replica is
   * shutting down: the lease ends now, so another replica claims it at its next fill or sweep
   * instead of waiting out the lease, and the run is not counted as an attempt (a rolling deploy
   * must not fail a long dream as `interrupted`). The agent's lock stays: the dream is unfinished.
   * `spent` (what the run spent up to now) is kept, for the next run to go on counting from.
   * False if `owner` no longer held it.
   */
  async handBack(
    dreamId: string,
    owner: string,
    spent: { usage?: DreamUsage; simulations?: number } = {},
    now = new Date(),
  ): Promise<boolean> {
    const doc = await this.dreams
      .findOneAndUpdate(
        { _id: dreamId, status: 'running', leaseOwner: owner },
        {
          $set: {
            ...(spent.usage && { usage: spent.usage }),
            ...(spent.simulations !== undefined && { simulations: spent.simulations }),
            leaseOwner: null,
            leaseUntil: new Date(now.getTime() - 1),
            progress: null,
            updatedAt: now,
          },
          $inc: { attempts: -1 },
        },
        { projection: { _id: 1 } },
      )
      .lean()
      .exec();
    return !!doc;
  }

  /** Ends a dream `owner` runs, then releases the agent's lock. False if it no longer held it. */
  async finish(
    dreamId: string,
    owner: string,
    ending: DreamEnding,
    now = new Date(),
  ): Promise<boolean> {
    const set: Record<string, unknown> = {
      endedAt: now,
      updatedAt: now,
      progress: null,
      announcePending: true,
    };
    for (const [k, v] of Object.entries(ending)) if (v !== undefined) set[k] = v;
    const doc = await this.dreams
      .findOneAndUpdate(
        { _id: dreamId, status: 'running', leaseOwner: owner },
        { $set: set },
        { returnDocument: 'after' },
      )
      .lean<DreamRecord>()
      .exec();
    if (!doc) return false;
    await this.release(doc);
    return true;
  }

  /**
   * Fails a dream that has run `attempts` times without finishing (no lease check: the caller
   * found its lease expired). Releases the lock.
   */
  async abandon(dream: DreamRecord, error: { type: string; message: string }, now = new Date()) {
    const doc = await this.dreams
      .findOneAndUpdate(
        { _id: dream._id, status: dream.status, leaseUntil: dream.leaseUntil },
        {
          $set: {
            status: 'failed',
            error,
            endedAt: now,
            updatedAt: now,
            progress: null,
            announcePending: true,
          },
        },
        { returnDocument: 'after' },
      )
      .lean<DreamRecord>()
      .exec();
    if (doc) await this.release(doc);
    return !!doc;
  }

  /**
   * Cancels a dream: a pending one at once (it never ran); a running one is marked and its runner
   * stops at its next heartbeat (a stage boundary, progress or a lease renewal). Returns the dream
   * as it now is, or null if there is none.
   */
  async cancel(tenantId: string, dreamId: string, now = new Date()): Promise<DreamRecord | null> {
    const pending = await this.dreams
      .findOneAndUpdate(
        { _id: dreamId, tenantId, status: 'pending', leaseOwner: null },
        {
          $set: {
            status: 'canceled',
            cancelRequestedAt: now,
            endedAt: now,
            updatedAt: now,
            error: null,
            announcePending: true,
          },
        },
        { returnDocument: 'after' },
      )
      .lean<DreamRecord>()
      .exec();
    if (pending) {
      await this.release(pending);
      return pending;
    }
    await this.dreams
      .updateOne(
        {
          _id: dreamId,
          tenantId,
          status: { $in: ['pending', 'running'] },
          cancelRequestedAt: null,
        },
        { $set: { cancelRequestedAt: now, updatedAt: now } },
      )
      .exec();
    return this.findById(tenantId, dreamId);
  }

  /**
   * Ended dreams whose `dream.ended` is still to be published (Kafka refused it, or the replica
   * stopped first), that ended before `endedBefore`, oldest first.
   */
  unannounced(endedBefore: Date, limit = 20): Promise<DreamRecord[]> {
    return this.dreams
      .find({ announcePending: true, endedAt: { $lt: endedBefore } })
      .sort({ endedAt: 1 })
      .limit(limit)
      .lean<DreamRecord[]>()
      .exec();
  }

  /** Records that the dream's `dream.ended` was published. */
  async markAnnounced(dreamId: string): Promise<void> {
    await this.dreams
      .updateOne({ _id: dreamId, announcePending: true }, { $unset: { announcePending: 1 } })
      .exec();
  }

  /** Hides an ended dream from default listings; null if there is none, unchanged if not ended. */
  async archive(tenantId: string, dreamId: string, now = new Date()): Promise<DreamRecord | null> {
    await this.dreams
      .updateOne(
        { _id: dreamId, tenantId, status: { $in: TERMINAL_DREAM_STATUSES }, archivedAt: null },
        { $set: { archivedAt: now, updatedAt: now } },
      )
      .exec();
    return this.findById(tenantId, dreamId);
  }

  /** An ended dream's checkpoint and agent lock go (`releaseEndedDream`). */
  private async release(dream: Pick<Dream, 'tenantId' | 'agentId' | '_id'>): Promise<void> {
    await releaseEndedDream(
      { checkpoints: this.checkpoints, locks: this.locks },
      lockId(dream.tenantId, dream.agentId),
      dream._id,
    );
  }

  /** What a lock names before its dream document exists (the create in flight). */
  private placeholder(input: NewDream, lock: DreamLock): DreamRecord {
    return pendingDream({ ...input, _id: lock.dreamId }, lock.createdAt, lock.createdAt);
  }
}

/** A dream as it is stored when asked for: pending, nothing spent, nobody running it. */
function pendingDream(input: NewDream, now: Date, leaseUntil: Date): Dream {
  return {
    tokenBudget: null,
    runUntil: null,
    ...input,
    status: 'pending',
    stage: null,
    progress: null,
    usage: { ...ZERO_USAGE },
    simulations: 0,
    strandedSimulations: 0,
    environment: null,
    sessionsReviewed: 0,
    outputs: [],
    error: null,
    report: null,
    reviewedUntil: null,
    reviewedUntilSession: null,
    attempts: 0,
    leaseOwner: null,
    leaseUntil,
    cancelRequestedAt: null,
    archivedAt: null,
    createdAt: now,
    startedAt: null,
    endedAt: null,
    updatedAt: now,
  };
}

/** A listing's `after_id` names no dream of this tenant (400 `invalid_request_error`). */
export class UnknownDreamCursorError extends Error {
  override readonly name = 'UnknownDreamCursorError';
  readonly code = 'invalid_request_error';
  readonly status = 400;
  readonly details: { path: string; message: string }[];
  constructor(afterId: string) {
    super(`after_id "${afterId}" names no dream; use the id of a dream from the previous page`);
    this.details = [{ path: 'after_id', message: 'names no dream' }];
  }
}
