import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isTerminal, type WaitingDream } from '@reverie/dreaming-domain';
import type { Model } from 'mongoose';
import { DreamSlot } from '../schemas/dream-slot.schema';
import { DreamTurn } from '../schemas/dream-turn.schema';
import { Dream, DreamLock } from '../schemas/dream.schema';
import { PENDING_GRACE_MS } from './dream.repository';

/** A waiting dream, with the key of the agent lock it was read from. */
export interface QueuedDream extends WaitingDream {
  lockId: string;
}

/** What the next free slot is chosen from, as the store holds it now (every replica's view). */
export interface DreamQueue {
  /** Unfinished dreams that hold no live slot: pending, or whose runner died. */
  waiting: QueuedDream[];
  /** Dreams holding a live slot, per tenant. */
  running: Map<string, number>;
  /** When each waiting tenant's dream last got a slot (absent: never). */
  lastTurn: Map<string, Date>;
}

/**
 * The dreams waiting for a slot and each tenant's share, read from small collections only: the
 * agent locks (`dream_locks`, one document per unfinished dream), the global slots
 * (`dream_slots`, as many as DREAM_GLOBAL_CONCURRENCY) and each tenant's last turn
 * (`dream_turns`); never a scan of `dreams`. Claiming itself stays the dream's one conditional
 * update (`DreamRepository.claim`).
 */
@Injectable()
export class DreamQueueRepository {
  constructor(
    @InjectModel(DreamLock.name) private readonly locks: Model<DreamLock>,
    @InjectModel(DreamSlot.name) private readonly slots: Model<DreamSlot>,
    @InjectModel(DreamTurn.name) private readonly turns: Model<DreamTurn>,
    @InjectModel(Dream.name) private readonly dreams: Model<Dream>,
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
    const waiting: QueuedDream[] = [];
    const running = new Map<string, number>();
    for (const lock of locks) {
      const tenantId = lock.tenantId ?? tenantOfLock(lock._id);
      if (holding.has(lock.dreamId)) running.set(tenantId, (running.get(tenantId) ?? 0) + 1);
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
      running,
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
   * A waiting dream that could not be claimed: removes its agent lock when the lock is stale (its
   * dream has ended, or was never stored and the lock is older than the creation grace), as
   * `DreamRepository.create` would on the agent's next dream, so it is not read again. True when
   * it did.
   */
  async releaseIfStale(dream: QueuedDream, now = new Date()): Promise<boolean> {
    const stored = await this.dreams
      .findOne({ _id: dream.dreamId }, { status: 1 })
      .lean<Pick<Dream, 'status'>>()
      .exec();
    const stale = stored
      ? isTerminal(stored.status)
      : now.getTime() - dream.createdAt.getTime() > PENDING_GRACE_MS;
    if (!stale) return false;
    const res = await this.locks.deleteOne({ _id: dream.lockId, dreamId: dream.dreamId }).exec();
    return res.deletedCount > 0;
  }
}

/** A lock's `_id` is `<tenantId>/<agentId>`; agent ids hold no `/`. */
function tenantOfLock(lockId: string): string {
  const slash = lockId.lastIndexOf('/');
  return slash < 0 ? lockId : lockId.slice(0, slash);
}
