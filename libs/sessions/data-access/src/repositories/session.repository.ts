import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { RunSpec, SessionEndStatus, SessionStarted } from '@reverie/contracts';
import {
  reopensOnRetry,
  RUN_NOT_ACKNOWLEDGED,
  type ListSessionsQuery,
} from '@reverie/sessions-domain';
import type { Model, QueryFilter } from 'mongoose';
import { Session } from '../schemas/session.schema';
import { isDuplicateKey } from './mongo-errors';

export type SessionRecord = Session;

/** A managed session as the gateway stores it when it accepts the request. */
export interface NewManagedSession {
  _id: string;
  agentId: string;
  title?: string;
  metadata?: Record<string, unknown>;
  run: RunSpec;
  batchId?: string;
}

@Injectable()
export class SessionRepository {
  constructor(@InjectModel(Session.name) private readonly sessions: Model<Session>) {}

  /**
   * Records a session from its started event; a second delivery of the same event, or a session
   * the gateway already stored when it accepted the request, is left as it is, except that the
   * playbook versions (the agent's and each role's) are taken from the event when it names them (an orchestrator that starts a
   * managed session knows it; the gateway that created the session did not).
   */
  async upsertStarted(message: SessionStarted): Promise<void> {
    const { playbook, rolePlaybooks, trial } = message.payload;
    const known = {
      ...(playbook !== undefined ? { playbook } : {}),
      ...(rolePlaybooks !== undefined ? { rolePlaybooks } : {}),
      ...(trial !== undefined ? { trial } : {}),
    };
    await this.sessions
      .updateOne(
        { _id: message.sessionId, tenantId: message.tenantId },
        {
          ...(Object.keys(known).length ? { $set: known } : {}),
          $setOnInsert: {
            batchId: message.payload.batchId,
            agentId: message.agentId,
            status: 'running',
            source: message.payload.source,
            title: message.payload.title,
            metadata: message.payload.metadata,
            hasFeedback: false,
            lastSeq: 0,
            createdAt: new Date(message.occurredAt),
          },
        },
        { upsert: true },
      )
      .exec();
  }

  /**
   * Stores managed sessions, `running`, before their run commands are sent: by the time an
   * orchestrator starts one (and its `session.started` reaches ingest, which then only fills in
   * the playbook version), the session, its run and its batch are already there.
   */
  async insertManaged(tenantId: string, sessions: NewManagedSession[], at: Date): Promise<void> {
    if (sessions.length === 0) return;
    await this.sessions.insertMany(
      sessions.map((s) => ({
        ...s,
        tenantId,
        status: 'running',
        source: 'managed',
        playbook: null,
        hasFeedback: false,
        lastSeq: 0,
        createdAt: at,
        updatedAt: at,
      })),
      { ordered: true },
    );
  }

  /**
   * Ends sessions whose run command was not acknowledged, `canceled` with `RUN_NOT_ACKNOWLEDGED`:
   * an orchestrator skips the command of a session that is not running, so should it still land,
   * it runs nothing. Only running ones change, so a session the orchestrator already ended keeps
   * its status.
   */
  async cancelUnsent(tenantId: string, ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.sessions
      .updateMany(
        { tenantId, _id: { $in: ids }, status: 'running' },
        { $set: { status: 'canceled', endReason: RUN_NOT_ACKNOWLEDGED, endedAt: at } },
      )
      .exec();
  }

  /**
   * For a keyed retry of a batch: stores those of its managed sessions this tenant does not have
   * yet (a first attempt may have stored them, or been undone). Sessions another request stores
   * meanwhile (a racing retry) count as stored.
   */
  async insertMissing(tenantId: string, sessions: NewManagedSession[], at: Date): Promise<void> {
    const stored = await this.statusesOf(
      tenantId,
      sessions.map((s) => s._id),
    );
    const missing = sessions.filter((s) => !stored.has(s._id));
    try {
      await this.insertManaged(tenantId, missing, at);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const now = await this.statusesOf(
        tenantId,
        missing.map((s) => s._id),
      );
      if (now.size < missing.length) throw err;
    }
  }

  /** The status of each of these sessions this tenant has: id -> status. */
  async statusesOf(tenantId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.sessions
      .find({ tenantId, _id: { $in: ids } }, { status: 1 })
      .lean<{ _id: string; status: string }[]>()
      .exec();
    return new Map(rows.map((r) => [r._id, r.status]));
  }

  /**
   * A keyed retry of the request that created a managed session whose run command was not
   * acknowledged: the session is running again, to send the same command. One conditional write
   * on that status and reason, so of retries racing each other only one reopens it. True when
   * this call reopened it.
   */
  async reopenUnsent(tenantId: string, id: string): Promise<boolean> {
    return (await this.reopenAllUnsent(tenantId, [id])) === 1;
  }

  /**
   * `reopenUnsent` for many sessions (a keyed retry of a batch): each write is conditional on the
   * session's status and reason, so a session racing retries reopen is reopened once. How many
   * this call reopened.
   */
  async reopenAllUnsent(tenantId: string, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const reopened = await this.sessions
      .updateMany(
        { _id: { $in: ids }, tenantId, status: 'canceled', endReason: RUN_NOT_ACKNOWLEDGED },
        { $set: { status: 'running' }, $unset: { endedAt: 1, endReason: 1 } },
      )
      .exec();
    return reopened.modifiedCount;
  }

  /** Removes a batch's sessions; only to undo a batch that could not be stored whole. */
  async deleteBatchSessions(tenantId: string, batchId: string): Promise<void> {
    await this.sessions.deleteMany({ tenantId, batchId }).exec();
  }

  /** How many sessions of each batch are in each status: batch id -> status -> count. */
  async countByBatchAndStatus(
    tenantId: string,
    batchIds: string[],
  ): Promise<Map<string, Record<string, number>>> {
    const counts = new Map<string, Record<string, number>>(batchIds.map((id) => [id, {}]));
    if (batchIds.length === 0) return counts;
    const rows = await this.sessions
      .aggregate<{ _id: { batchId: string; status: string }; n: number }>([
        { $match: { tenantId, batchId: { $in: batchIds } } },
        { $group: { _id: { batchId: '$batchId', status: '$status' }, n: { $sum: 1 } } },
      ])
      .exec();
    for (const { _id, n } of rows) {
      const forBatch = counts.get(_id.batchId);
      if (forBatch) forBatch[_id.status] = n;
    }
    return counts;
  }

  /** The sessions of a batch still running (at most the batch's tasks), with their attempt. */
  runningOfBatch(
    tenantId: string,
    batchId: string,
  ): Promise<Pick<SessionRecord, '_id' | 'agentId' | 'iteration'>[]> {
    return this.sessions
      .find({ tenantId, batchId, status: 'running' }, { _id: 1, agentId: 1, iteration: 1 })
      .lean<Pick<SessionRecord, '_id' | 'agentId' | 'iteration'>[]>()
      .exec();
  }

  /** How many sessions of a batch ended with `status` at exactly `at` (one request's ends). */
  countEndedAt(
    tenantId: string,
    batchId: string,
    status: SessionEndStatus,
    at: Date,
  ): Promise<number> {
    return this.sessions.countDocuments({ tenantId, batchId, status, endedAt: at }).exec();
  }

  /** A batch's sessions in id (= task) order after `afterId`, `limit + 1` fetched. */
  batchPage(
    tenantId: string,
    batchId: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<SessionRecord[]> {
    const filter: QueryFilter<Session> = { tenantId, batchId };
    if (afterId) filter._id = { $gt: afterId };
    return this.sessions
      .find(filter)
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<SessionRecord[]>()
      .exec();
  }

  findById(tenantId: string, id: string): Promise<SessionRecord | null> {
    return this.sessions.findOne({ _id: id, tenantId }).lean<SessionRecord>().exec();
  }

  /** Newest first, `limit + 1` fetched so the caller knows whether there is more. */
  list(tenantId: string, query: ListSessionsQuery): Promise<SessionRecord[]> {
    const filter: QueryFilter<Session> = { tenantId };
    if (query.agentId) filter.agentId = query.agentId;
    if (query.status) filter.status = query.status;
    if (query.batchId) filter.batchId = query.batchId;
    // A session id starts with its creation time in ms (newId), so a time range is an id range:
    // the same indexes serve it as the cursor.
    const idRange: { $lt?: string; $gte?: string } = {};
    if (query.from) idRange.$gte = sessionIdAt(query.from);
    if (query.to) idRange.$lt = sessionIdAt(query.to);
    if (query.after_id && (!idRange.$lt || query.after_id < idRange.$lt))
      idRange.$lt = query.after_id;
    if (idRange.$lt !== undefined || idRange.$gte !== undefined) filter._id = idRange;
    return this.sessions
      .find(filter)
      .sort({ _id: -1 })
      .limit(query.limit + 1)
      .lean<SessionRecord[]>()
      .exec();
  }

  /**
   * Moves a running session to its end status; returns null if it was not running. For a managed
   * session that ran again, only the end of the attempt it is on counts: a redelivered end of an
   * earlier attempt changes nothing. A session canceled because its run command was not
   * acknowledged takes the end of its first attempt too: the command landed all the same and a
   * replica had started it before the cancel (otherwise it skips it), and the end says how it went.
   */
  async end(
    tenantId: string,
    id: string,
    status: SessionEndStatus,
    reason: string | undefined,
    at: Date,
    iteration = 1,
  ): Promise<SessionRecord | null> {
    const current = await this.stateOf(tenantId, id);
    if (!current || (current.iteration ?? 1) !== iteration) return null;
    // A session canceled because its run command was not acknowledged, whose command had landed
    // and started a run all the same (the cancel raced its start): the run's end is what happened.
    const unsent = reopensOnRetry(current);
    if (current.status !== 'running' && !unsent) return null;
    return this.sessions
      .findOneAndUpdate(
        unsent
          ? { _id: id, tenantId, status: 'canceled', endReason: RUN_NOT_ACKNOWLEDGED }
          : unchangedSince(tenantId, id, current),
        reason === undefined
          ? // The cancel's reason, if it was one, does not outlive it.
            { $set: { status, endedAt: at }, $unset: { endReason: 1 } }
          : { $set: { status, endReason: reason, endedAt: at } },
        { returnDocument: 'after' },
      )
      .lean<SessionRecord>()
      .exec();
  }

  /**
   * The session's status and attempt (by `{ _id, tenantId }`, which the embedded server serves by
   * index), for a write that depends on them: see `unchangedSince`.
   */
  private stateOf(tenantId: string, id: string): Promise<SessionState | null> {
    return this.sessions
      .findOne({ _id: id, tenantId }, { status: 1, iteration: 1, endReason: 1 })
      .lean<SessionState>()
      .exec();
  }

  /**
   * The ingest stored the end of attempt `iteration`, after every event sent before it (one
   * partition, in order). Never lowered, so a redelivery is harmless.
   */
  async markEndStored(tenantId: string, id: string, iteration: number): Promise<void> {
    await this.sessions
      .updateOne({ _id: id, tenantId }, { $max: { endStoredIteration: iteration } })
      .exec();
  }

  /**
   * A managed session runs again (the grader asked for a revision): running once more, on attempt
   * `iteration`. Only an ended session on an earlier attempt changes, so a redelivery is harmless.
   */
  async startRevision(tenantId: string, id: string, iteration: number): Promise<void> {
    const current = await this.stateOf(tenantId, id);
    if (!current || current.status === 'running' || (current.iteration ?? 1) >= iteration) return;
    await this.sessions
      .updateOne(unchangedSince(tenantId, id, current), {
        $set: { status: 'running', iteration },
        $unset: { endedAt: 1, endReason: 1 },
      })
      .exec();
  }

  /**
   * Feedback on the session is stored (the ingest calls this right after storing it, also on a
   * redelivery, so a crash between the two leaves the flag to the retry). Only ever set: a reader
   * that sees it false read the session before the feedback was stored, as if it had read the
   * feedback then; one that sees it true finds the feedback stored.
   */
  async markFeedback(tenantId: string, id: string): Promise<void> {
    await this.sessions.updateOne({ _id: id, tenantId }, { $set: { hasFeedback: true } }).exec();
  }

  /** Raises the stored-event watermark; never lowers it, so redeliveries are harmless. */
  async advanceLastSeq(tenantId: string, id: string, lastSeq: number): Promise<void> {
    await this.sessions.updateOne({ _id: id, tenantId }, { $max: { lastSeq } }).exec();
  }
}

/** What a status change depends on (a session that never ran again stores no attempt: 1). */
type SessionState = Pick<Session, '_id' | 'status' | 'iteration' | 'endReason'>;

/**
 * A compare-and-set filter: the session, only while its status and attempt are still what was
 * read (`iteration: null` also matches a session stored without one, which is on attempt 1).
 * A session returns to an earlier (status, attempt) only when a keyed retry reopens a session
 * whose run command was not acknowledged (`running` again on attempt 1, before anything ran), so
 * the write acts on the state it checked, or on one no different for it. Its fields are exactly the keys of a unique index, which is what the embedded
 * MongoDB-wire server needs to use one (a filter with `status: 'running'` and an `$or` over the
 * attempt scanned every session, once per end); real MongoDB finds it by `_id` anyway.
 */
function unchangedSince(tenantId: string, id: string, state: SessionState) {
  return { _id: id, tenantId, status: state.status, iteration: state.iteration ?? null };
}

/**
 * The smallest session id created at `at` (ids are `ses_` + 12 hex digits of ms + randomness):
 * ids at or after it were created at or after `at`.
 */
export function sessionIdAt(at: Date): string {
  return `ses_${Math.max(0, at.getTime()).toString(16).padStart(12, '0')}`;
}
