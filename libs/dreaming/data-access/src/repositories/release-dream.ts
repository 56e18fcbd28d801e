import type { Model } from 'mongoose';
import type { DreamCheckpointDoc } from '../schemas/dream-checkpoint.schema';
import type { DreamLock } from '../schemas/dream.schema';

/**
 * An ended dream lets go of what it held: its checkpoint, if it kept one, then its agent's lock,
 * if the lock still names it. In that order: a replica that dies between the two leaves a stale
 * lock, and whoever takes that over (the agent's next `DreamRepository.create`, or the fill's
 * `DreamQueueRepository.releaseIfStale`) calls this again, so no checkpoint is left behind.
 * True when the lock went.
 */
export async function releaseEndedDream(
  models: { checkpoints: Model<DreamCheckpointDoc>; locks: Model<DreamLock> },
  lockId: string,
  dreamId: string,
): Promise<boolean> {
  await models.checkpoints.deleteOne({ _id: dreamId }).exec();
  const res = await models.locks.deleteOne({ _id: lockId, dreamId }).exec();
  return res.deletedCount > 0;
}
