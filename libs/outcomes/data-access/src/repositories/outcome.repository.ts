import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { OutcomeResult } from '@reverie/contracts';
import type { Model, QueryFilter } from 'mongoose';
import { Outcome } from '../schemas/outcome.schema';
import { isDuplicateKey, UnknownOutcomeCursorError } from './outcome-errors';

/** One stored outcome (a plain object); also what `record` takes. */
export type OutcomeRecord = Outcome;

export interface ListOutcomesQuery {
  tenantId: string;
  agentId?: string;
  result?: OutcomeResult;
  limit: number;
  /** Cursor: the last outcome id of the previous page. */
  afterId?: string;
}

export interface OutcomePage {
  data: OutcomeRecord[];
  hasMore: boolean;
}

/** Oldest first: by iteration, then by when it was graded (a regrade comes after the grade). */
const OLDEST_FIRST = { iteration: 1, gradedAt: 1, _id: 1 } as const;
/** Listing order: newest grade first; `_id` breaks ties, so the order is total. */
const NEWEST_GRADED_FIRST = { gradedAt: -1, _id: -1 } as const;

/** The grader's outcomes, scoped by tenant. Written only by the grader. */
@Injectable()
export class OutcomeRepository {
  constructor(@InjectModel(Outcome.name) private readonly outcomes: Model<Outcome>) {}

  /**
   * Stores an outcome under its id, replacing what is there: a redelivered verdict writes the
   * same document again. Two replicas racing on the same new id both end with one document.
   */
  async record(outcome: OutcomeRecord): Promise<void> {
    const write = () =>
      this.outcomes
        .replaceOne({ _id: outcome._id, tenantId: outcome.tenantId }, outcome, { upsert: true })
        .exec();
    try {
      await write();
    } catch (err) {
      // The other upsert inserted first; now the document exists and the replace matches it.
      if (!isDuplicateKey(err)) throw err;
      await write();
    }
  }

  /** One outcome by its id, or null. */
  findById(tenantId: string, outcomeId: string): Promise<OutcomeRecord | null> {
    return this.outcomes.findOne({ _id: outcomeId, tenantId }).lean<OutcomeRecord>().exec();
  }

  /** The session's current verdict: highest iteration, then latest graded; null if none. */
  latestForSession(tenantId: string, sessionId: string): Promise<OutcomeRecord | null> {
    return this.outcomes
      .findOne({ tenantId, sessionId })
      .sort({ iteration: -1, gradedAt: -1, _id: -1 })
      .lean<OutcomeRecord>()
      .exec();
  }

  /** Every outcome of the session, oldest first (the last one is `latestForSession`). */
  forSession(tenantId: string, sessionId: string): Promise<OutcomeRecord[]> {
    return this.outcomes
      .find({ tenantId, sessionId })
      .sort(OLDEST_FIRST)
      .lean<OutcomeRecord[]>()
      .exec();
  }

  /**
   * Outcomes newest graded first, optionally of one agent and/or one result, paged by
   * `(gradedAt, _id)`: `afterId` is the last outcome of the previous page. Throws
   * `UnknownOutcomeCursorError` when `afterId` is no outcome of this tenant.
   */
  async list(query: ListOutcomesQuery): Promise<OutcomePage> {
    const { tenantId, limit } = query;
    const filter: QueryFilter<Outcome> = { tenantId };
    if (query.agentId) filter.agentId = query.agentId;
    if (query.result) filter.result = query.result;
    if (query.afterId) {
      const cursor = await this.outcomes
        .findOne({ _id: query.afterId, tenantId }, { gradedAt: 1 })
        .lean<Pick<Outcome, '_id' | 'gradedAt'>>()
        .exec();
      if (!cursor) throw new UnknownOutcomeCursorError(query.afterId);
      filter.$or = [
        { gradedAt: { $lt: cursor.gradedAt } },
        { gradedAt: cursor.gradedAt, _id: { $lt: cursor._id } },
      ];
    }
    const rows = await this.outcomes
      .find(filter)
      .sort(NEWEST_GRADED_FIRST)
      .limit(limit + 1)
      .lean<OutcomeRecord[]>()
      .exec();
    return { data: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** The current verdict of each of `sessionIds` that has one (one query for all of them). */
  async latestForSessions(
    tenantId: string,
    sessionIds: string[],
  ): Promise<Map<string, OutcomeRecord>> {
    const out = new Map<string, OutcomeRecord>();
    if (sessionIds.length === 0) return out;
    const rows = await this.outcomes
      .find({ tenantId, sessionId: { $in: sessionIds } })
      .sort(OLDEST_FIRST)
      .lean<OutcomeRecord[]>()
      .exec();
    // Oldest first, so the last one seen per session is its current verdict.
    for (const o of rows) out.set(o.sessionId, o);
    return out;
  }
}
