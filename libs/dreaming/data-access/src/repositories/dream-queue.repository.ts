import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isTerminal, type ClaimQueue, type WaitingDream } from '@reverie/dreaming-domain';
import type { Model } from 'mongoose';
import { DreamCheckpointDoc } from '../schemas/dream-checkpoint.schema';
import { DreamSlot } from '../schemas/dream-slot.schema';
import { DreamTurn } from '../schemas/dream-turn.schema';
import { Dream, DreamLock } from '../schemas/dream.schema';
import { dreamLockId, PENDING_GRACE_MS } from './dream.repository';
import { releaseEndedDream } from './release-dream';

/** A waiting dream, with the key of the agent lock it was read from. */
export interface QueuedDream extends WaitingDream {
  lockId: string;
}

/** What the next free slot is chosen from, as the store holds it now (every replica's view). */
export interface DreamQueue extends ClaimQueue<QueuedDream> {
  /** Unfinished dreams that are not running: pending, or whose runner died (its lease ran out). */
  waiting: QueuedDream[];
  /**
   * Dreams running per tenant: holding a live slot, or running under a live lease of their own
   * (their slot's lease lapsed while the dream went on).
   */
  running: Map<string, number>;
  /** When each waiting tenant's dream last got a slot (absent: never). */
  lastTurn: Map<string, Date>;
}

const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;

/** Stranded dreams restored per sweep at most (see `restoreLostLocks`). */
const RESTORE_LIMIT = 20;

/**
 * The dreams waiting for a slot and each tenant's share, read from small collections: the agent
 * locks (`dream_locks`, one document per unfinished dream), the global slots (`dream_slots`, as
 * many as DREAM_GLOBAL_CONCURRENCY), each tenant's last turn (`dream_turns`) and, by `_id`, the
 * dreams of the locks that hold no live slot; never a scan of `dreams`, but for the sweep's
 * once-a-pass safety net (`restoreLostLocks`). Claiming itself stays the dream's one conditional
 * update (`DreamRepository.claim`).
 *
 * Every read of the queue reads all of `dream_locks`: at most one unfinished dream per agent holds
 * one, so it is bounded by the agents with an unfinished dream, not by the dreams stored; one fill
 * reads it once and keeps its copy up to date with what it claims (`recordClaim`).
 */
@Injectable()
export class DreamQueueRepository {
  constructor(
    @InjectModel(DreamLock.name) private readonly locks: Model<DreamLock>,
    @InjectModel(DreamSlot.name) private readonly slots: Model<DreamSlot>,
    @InjectModel(DreamTurn.name) private readonly turns: Model<DreamTurn>,
    @InjectModel(Dream.name) private readonly dreams: Model<Dream>,
    @InjectModel(DreamCheckpointDoc.name)
    private readonly checkpoints: Model<DreamCheckpointDoc>,
  ) {}

  async snapshot(now = new Date()): Promise<DreamQueue> {
    const [locks, held] = await Promise.all([
      this.locks
        .find({}, { dreamId: 1, tenantId: 1, createdAt: 1 })
        .lean<Pick<DreamLock, '_id' | 'dreamId' | 'tenantId' | 'createdAt'>[]>()
        .exec(),
      this.slots
        .find({ dreamId: { $ne: null }, leaseUntil: { $gt: now } }, { dreamId: 1 })
        .lean<Pick<DreamSlot, 'dreamId'>[]>()
        .exec(),
    ]);
    const holding = new Set(held.map((s) => s.dreamId));
    const unslotted = locks.filter((lock) => !holding.has(lock.dreamId));
    // A dream running under a live lease of its own whose slot lapsed (a stalled renewal, the slot
    // taken since) is running, not waiting: claiming it would fail, and its tenant runs it.
    // By `_id` only, so the `_id` index serves it (on the MongoDB-wire test server too).
    const leased = unslotted.length
      ? await this.dreams
          .find({ _id: { $in: unslotted.map((l) => l.dreamId) } }, { status: 1, leaseUntil: 1 })
          .lean<Pick<Dream, '_id' | 'status' | 'leaseUntil'>[]>()
          .exec()
      : [];
    const running = new Set(
      leased
        .filter((d) => d.status === 'running' && new Date(d.leaseUntil).getTime() > now.getTime())
        .map((d) => d._id),
    );
    const waiting: QueuedDream[] = [];
    const runningByTenant = new Map<string, number>();
    for (const lock of locks) {
      const tenantId = lock.tenantId ?? tenantOfLock(lock._id);
      if (holding.has(lock.dreamId) || running.has(lock.dreamId))
        runningByTenant.set(tenantId, (runningByTenant.get(tenantId) ?? 0) + 1);
      else
        waiting.push({
          dreamId: lock.dreamId,
          tenantId,
          createdAt: new Date(lock.createdAt),
          lockId: lock._id,
        });
    }
    const tenants = [...new Set(waiting.map((w) => w.tenantId))];
    const turns = tenants.length
      ? await this.turns
          .find({ _id: { $in: tenants } })
          .lean<DreamTurn[]>()
          .exec()
      : [];
    return {
      waiting,
      running: runningByTenant,
      lastTurn: new Map(turns.map((t) => [t._id, new Date(t.lastClaimedAt)])),
    };
  }

  /** Records that a dream of the tenant got a slot at `at` (its turn). */
  async recordTurn(tenantId: string, at = new Date()): Promise<void> {
    await this.turns
      .updateOne({ _id: tenantId }, { $max: { lastClaimedAt: at } }, { upsert: true })
      .exec();
  }

  /**
   * A waiting dream that could not be claimed: removes its agent lock when the lock is stale, as
   * `DreamRepository.create` would on the agent's next dream, so it is not read again. True when
   * it did.
   *
   * Stale: its dream has ended, or was never stored and the lock was written more than the
   * creation grace ago (`createdAt` is the time of the lock's write). `create` writes the lock,
   * then the dream, so a lock without its dream is a create in flight until then; past it, the
   * dream is looked for once more right before the lock goes, and once more after: should the
   * dream have been stored in between (a create stalled that long), the lock is put back, so no
   * pending dream is left without one (the sweep's `restoreLostLocks` is the last resort).
   */
  async releaseIfStale(dream: QueuedDream, now = new Date()): Promise<boolean> {
    const stored = await this.dreamStatus(dream.dreamId);
    if (stored) {
      if (!isTerminal(stored.status)) return false;
      // Ended: its runner died between ending it and releasing it. Nothing brings it back.
      return releaseEndedDream(
        { checkpoints: this.checkpoints, locks: this.locks },
        dream.lockId,
        dream.dreamId,
      );
    }
    if (now.getTime() - dream.createdAt.getTime() <= PENDING_GRACE_MS) return false;
    if (await this.dreamStatus(dream.dreamId)) return false;
    const res = await this.locks
      .deleteOne({ _id: dream.lockId, dreamId: dream.dreamId, createdAt: dream.createdAt })
      .exec();
    if (res.deletedCount === 0) return false;
    if (!(await this.dreamStatus(dream.dreamId))) return true;
    // Stored meanwhile: its lock goes back (unless the agent's next dream took it already).
    await this.restoreLock(dream.lockId, dream.tenantId, dream.dreamId, dream.createdAt);
    return false;
  }

  /**
   * The sweep's safety net: unfinished dreams left without their agent's lock (whatever the race
   * that removed it), which no fill would ever see, get it back, so the next fill hands them a slot
   * in their turn. Pending dreams past their creation grace (`leaseUntil`, set to the creation
   * time plus the grace) and running ones whose lease ran out; at most `limit` per call, oldest
   * first. A dream whose agent's lock another unfinished dream holds waits until that one ends (a
   * later sweep restores it then). Returns the ids of the dreams whose lock it restored.
   *
   * Its one scan of `dreams`: `{status: {$in: [pending, running]}, leaseUntil: {$lt: now}, _id:
   * {$nin: <dreams holding a lock>}}`, sorted by `leaseUntil`. MongoDB serves it from the
   * `{status: 1, leaseUntil: 1}` index (the range holds unfinished dreams only, bounded by the
   * agents; the `$nin` filters that range); the MongoDB-wire test server scans the collection
   * (about 75 ms per 100,000 dreams), so the sweep runs it once per pass, never a fill.
   */
  async restoreLostLocks(now = new Date(), limit = RESTORE_LIMIT): Promise<string[]> {
    const locked = await this.locks
      .find({}, { dreamId: 1 })
      .lean<Pick<DreamLock, 'dreamId'>[]>()
      .exec();
    const stranded = await this.dreams
      .find(
        {
          status: { $in: ['pending', 'running'] },
          leaseUntil: { $lt: now },
          _id: { $nin: locked.map((l) => l.dreamId) },
        },
        { tenantId: 1, agentId: 1, createdAt: 1 },
      )
      .sort({ leaseUntil: 1 })
      .limit(limit)
      .lean<Pick<Dream, '_id' | 'tenantId' | 'agentId' | 'createdAt'>[]>()
      .exec();
    const restored: string[] = [];
    for (const d of stranded) {
      const lockId = dreamLockId(d.tenantId, d.agentId);
      // Its creation time: it has waited since then (its place in its tenant's order).
      if (await this.restoreLock(lockId, d.tenantId, d._id, new Date(d.createdAt)))
        restored.push(d._id);
    }
    return restored;
  }

  /** Puts an agent's lock back for the dream; false when the agent's lock exists already. */
  private async restoreLock(
    lockId: string,
    tenantId: string,
    dreamId: string,
    createdAt: Date,
  ): Promise<boolean> {
    try {
      await this.locks.create({ _id: lockId, tenantId, dreamId, createdAt });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private dreamStatus(dreamId: string) {
    return this.dreams
      .findOne({ _id: dreamId }, { status: 1 })
      .lean<Pick<Dream, 'status'>>()
      .exec();
  }
}

/** A lock's `_id` is `<tenantId>/<agentId>`; agent ids hold no `/`. */
function tenantOfLock(lockId: string): string {
  const slash = lockId.lastIndexOf('/');
  return slash < 0 ? lockId : lockId.slice(0, slash);
}
