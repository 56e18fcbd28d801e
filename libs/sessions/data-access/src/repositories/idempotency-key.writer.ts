import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { IdempotencyKey } from '../schemas/idempotency-key.schema';
import type { IdempotencyKeyRecord } from './idempotency-key.reader';
import { isDuplicateKey } from './mongo-errors';

/** What a claim found: the key is this request's now, or the record of the request seen before. */
export type IdempotencyClaim =
  | { claimed: true; record: IdempotencyKeyRecord }
  | { claimed: false; record: IdempotencyKeyRecord };

/** Claims in a row that can lose to a concurrent takeover of an expired record before giving up. */
const MAX_CLAIM_ROUNDS = 3;

/** The one writer of `idempotency_keys`. */
@Injectable()
export class IdempotencyKeyWriter {
  constructor(@InjectModel(IdempotencyKey.name) private readonly keys: Model<IdempotencyKey>) {}

  /**
   * Claims `record._id` by inserting it. A duplicate key means the key was seen before: the
   * stored record is returned instead (the caller compares fingerprints). A record that expired
   * at or before `now` is taken over: deleted only if it is still the one read (`_id` and
   * `expiresAt`), then inserted again, so of two requests taking it over at once one inserts and
   * the other finds that one's record. Correct without transactions: the insert decides.
   */
  async claim(record: IdempotencyKeyRecord, now = new Date()): Promise<IdempotencyClaim> {
    for (let round = 1; round <= MAX_CLAIM_ROUNDS; round++) {
      try {
        await this.keys.create(record);
        return { claimed: true, record };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const stored = await this.keys
        .findOne({ _id: record._id })
        .lean<IdempotencyKeyRecord>()
        .exec();
      // Deleted in between (expired, by the TTL monitor or another claim): insert again.
      if (!stored) continue;
      if (stored.expiresAt.getTime() > now.getTime()) return { claimed: false, record: stored };
      await this.keys.deleteOne({ _id: stored._id, expiresAt: stored.expiresAt }).exec();
    }
    throw new Error(
      `could not claim idempotency key record "${record._id}" in ${MAX_CLAIM_ROUNDS} rounds; retry`,
    );
  }
}
