import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { ListBatchesQuery } from '@reverie/sessions-domain';
import type { Model, QueryFilter } from 'mongoose';
import { Batch } from '../schemas/batch.schema';
import { isDuplicateKey } from './mongo-errors';

export type BatchRecord = Batch;

@Injectable()
export class BatchRepository {
  constructor(@InjectModel(Batch.name) private readonly batches: Model<Batch>) {}

  async create(batch: BatchRecord): Promise<BatchRecord> {
    const doc = await this.batches.create(batch);
    return doc.toObject();
  }

  /**
   * For a keyed retry of a batch: stores it unless this tenant has it already (its first attempt
   * stored it). A batch of that id another tenant has is an error, as on `create`.
   */
  async createOnce(batch: BatchRecord): Promise<void> {
    try {
      await this.batches.create(batch);
    } catch (err) {
      if (!isDuplicateKey(err) || !(await this.findById(batch.tenantId, batch._id))) throw err;
    }
  }

  findById(tenantId: string, id: string): Promise<BatchRecord | null> {
    return this.batches.findOne({ _id: id, tenantId }).lean<BatchRecord>().exec();
  }

  /** Newest first, `limit + 1` fetched so the caller knows whether there is more. */
  list(tenantId: string, query: ListBatchesQuery): Promise<BatchRecord[]> {
    const filter: QueryFilter<Batch> = { tenantId };
    if (query.agentId) filter.agentId = query.agentId;
    if (query.after_id) filter._id = { $lt: query.after_id };
    return this.batches
      .find(filter)
      .sort({ _id: -1 })
      .limit(query.limit + 1)
      .lean<BatchRecord[]>()
      .exec();
  }

  /** Removes a batch; only to undo one whose sessions could not be stored. */
  async delete(tenantId: string, id: string): Promise<void> {
    await this.batches.deleteOne({ _id: id, tenantId }).exec();
  }
}
