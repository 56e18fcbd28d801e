import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { IdempotencyKey } from '../schemas/idempotency-key.schema';

export type IdempotencyKeyRecord = IdempotencyKey;

/**
 * Read-only access to `idempotency_keys`: the record of a key still remembered. By `_id` alone
 * (it holds the tenant), which every server answers from its primary index.
 */
@Injectable()
export class IdempotencyKeyReader {
  constructor(@InjectModel(IdempotencyKey.name) private readonly keys: Model<IdempotencyKey>) {}

  /** The record under `id`, or null when there is none or it expired at or before `now`. */
  async find(id: string, now = new Date()): Promise<IdempotencyKeyRecord | null> {
    const found = await this.keys.findOne({ _id: id }).lean<IdempotencyKeyRecord>().exec();
    return found && found.expiresAt.getTime() > now.getTime() ? found : null;
  }
}
