import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DreamSlot } from '../schemas/dream-slot.schema';

const FREE = new Date(0);
/** Who holds a slot: a dream, run by one replica. */
export interface SlotHolder {
  slotId: string;
  dreamId: string;
  owner: string;
}

const slotIds = (limit: number) => Array.from({ length: limit }, (_, i) => `slot-${i}`);

/**
 * The global limit on running dreams, across replicas: `limit` slot documents, each taken by one
 * conditional update, so racing replicas can never hold more than `limit` between them (no
 * transactions, no count-then-claim). A slot whose lease ran out is free again.
 */
@Injectable()
export class DreamSlotRepository {
  /** Slot documents known to exist (created once per process, up to the largest limit seen). */
  private created = 0;

  constructor(@InjectModel(DreamSlot.name) private readonly slots: Model<DreamSlot>) {}

  /**
   * Takes a free slot among the first `limit` for the dream: the slot's id, or null when all are
   * held. One conditional update: two replicas can never take the same slot.
   */
  async acquire(
    dreamId: string,
    owner: string,
    limit: number,
    leaseMs: number,
    now = new Date(),
  ): Promise<string | null> {
    await this.ensure(limit);
    const take = () =>
      this.slots
        .findOneAndUpdate(
          { _id: { $in: slotIds(limit) }, $or: [{ dreamId: null }, { leaseUntil: { $lte: now } }] },
          { $set: { dreamId, owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
          { returnDocument: 'after' },
        )
        .lean<DreamSlot>()
        .exec();
    let doc = await take();
    // None free, or the slot documents are gone (the collection was dropped): recreate, retry once.
    if (!doc && (await this.slots.countDocuments({ _id: { $in: slotIds(limit) } })) < limit) {
      this.created = 0;
      await this.ensure(limit);
      doc = await take();
    }
    return doc?._id ?? null;
  }

  /** Extends a slot's lease; false when the holder has lost it (it expired and was taken). */
  async renew(slot: SlotHolder, leaseMs: number, now = new Date()): Promise<boolean> {
    const res = await this.slots
      .updateOne(
        { _id: slot.slotId, dreamId: slot.dreamId, owner: slot.owner },
        { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } },
      )
      .exec();
    return res.matchedCount > 0;
  }

  /** Frees the slot if this holder still holds it. */
  async release(slot: SlotHolder): Promise<void> {
    await this.slots
      .updateOne(
        { _id: slot.slotId, dreamId: slot.dreamId, owner: slot.owner },
        { $set: { dreamId: null, owner: null, leaseUntil: FREE } },
      )
      .exec();
  }

  /** Slots held now (an expired lease does not count). */
  held(now = new Date()): Promise<number> {
    return this.slots.countDocuments({ dreamId: { $ne: null }, leaseUntil: { $gt: now } }).exec();
  }

  private async ensure(limit: number): Promise<void> {
    if (limit <= this.created) return;
    await this.slots
      .bulkWrite(
        slotIds(limit).map((_id) => ({
          updateOne: {
            filter: { _id },
            update: { $setOnInsert: { dreamId: null, owner: null, leaseUntil: FREE } },
            upsert: true,
          },
        })),
        { ordered: false },
      )
      .catch((err: { code?: number }) => {
        // Another replica created the same slot at the same moment: it exists, which is all we need.
        if (err.code !== 11000) throw err;
      });
    this.created = limit;
  }
}
