import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { DreamCheckpoint } from '@reverie/dreaming-domain';
import type { Model } from 'mongoose';
import { DreamCheckpointDoc } from '../schemas/dream-checkpoint.schema';

/**
 * Checkpoints larger than this are not kept (a document holds at most 16 MB): such a dream runs
 * its stages again if it is resumed.
 */
export const CHECKPOINT_MAX_BYTES = 12 * 1024 * 1024;

/**
 * Dream checkpoints (see DreamCheckpointDoc), scoped by tenant. DreamRepository removes a dream's
 * checkpoint when the dream ends.
 */
@Injectable()
export class DreamCheckpointRepository {
  constructor(
    @InjectModel(DreamCheckpointDoc.name) private readonly checkpoints: Model<DreamCheckpointDoc>,
  ) {}

  /** The dream's checkpoint; null when it has none (or one that cannot be read). */
  async load(tenantId: string, dreamId: string): Promise<DreamCheckpoint | null> {
    const doc = await this.checkpoints.findById(dreamId).lean<DreamCheckpointDoc>().exec();
    if (!doc || doc.tenantId !== tenantId) return null;
    try {
      return JSON.parse(doc.body) as DreamCheckpoint;
    } catch {
      return null;
    }
  }

  /** Replaces the dream's checkpoint; false (nothing kept) when it is over CHECKPOINT_MAX_BYTES. */
  async save(
    tenantId: string,
    dreamId: string,
    checkpoint: DreamCheckpoint,
    at = new Date(),
  ): Promise<boolean> {
    const body = JSON.stringify(checkpoint);
    if (Buffer.byteLength(body) > CHECKPOINT_MAX_BYTES) return false;
    await this.checkpoints
      .replaceOne(
        { _id: dreamId },
        { _id: dreamId, tenantId, body, createdAt: at },
        { upsert: true },
      )
      .exec();
    return true;
  }
}
