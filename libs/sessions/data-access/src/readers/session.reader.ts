import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { checkFilter, matches } from '../pages/event-filter';
import { readSessionPages } from '../pages/page-reads';
import { Feedback } from '../schemas/feedback.schema';
import { SessionEventPage, type PageEvent } from '../schemas/session-event-page.schema';
import { Session } from '../schemas/session.schema';

/** What graders and dreams need of a session. */
export type SessionView = Pick<
  Session,
  | '_id'
  | 'agentId'
  | 'status'
  | 'source'
  | 'run'
  | 'iteration'
  | 'endReason'
  | 'endedAt'
  | 'endStoredIteration'
  | 'lastSeq'
  | 'hasFeedback'
>;

/** One stored event: its position and what the client sent. */
export type StoredEventView = Pick<PageEvent, 'seq' | 'body'>;

/** One piece of feedback on a session. */
export type FeedbackView = Pick<Feedback, '_id' | 'rating' | 'comment' | 'eventId' | 'createdAt'>;

/** A session's id, agent and status: enough to address a command to it. */
export type SessionRef = Pick<Session, '_id' | 'agentId' | 'status'>;

/** Whether a session's attempt has ended, and how: what a run under way watches. */
export type SessionStatusView = Pick<Session, '_id' | 'status' | 'endReason' | 'iteration'>;

const SESSION_FIELDS = {
  _id: 1,
  agentId: 1,
  status: 1,
  source: 1,
  run: 1,
  iteration: 1,
  endReason: 1,
  endedAt: 1,
  endStoredIteration: 1,
  lastSeq: 1,
  hasFeedback: 1,
} as const;
const REF_FIELDS = { _id: 1, agentId: 1, status: 1 } as const;
const STATUS_FIELDS = { _id: 1, status: 1, endReason: 1, iteration: 1 } as const;

/**
 * Where a review of an agent's ended sessions stopped: the last session reviewed, in (end time,
 * id) order. Without a session id (older dreams), everything that ended at `endedAt` counts as
 * reviewed.
 */
export interface ReviewCursor {
  endedAt: Date;
  sessionId: string | null;
}

/**
 * Read-only access to `sessions`, `session_event_pages` and `feedback` for the services that do not own
 * them (the grader, the dreamer) and for the gateway's outcome routes: the owner's models, lean
 * reads, only the fields named here, every query scoped by tenant. Nothing here writes: the
 * gateway's repositories are their only writers.
 */
@Injectable()
export class SessionReader {
  constructor(
    @InjectModel(Session.name) private readonly sessionModel: Model<Session>,
    @InjectModel(SessionEventPage.name) private readonly pageModel: Model<SessionEventPage>,
    @InjectModel(Feedback.name) private readonly feedbackModel: Model<Feedback>,
  ) {}

  /** The session, or null when this tenant has none with that id. */
  session(tenantId: string, sessionId: string): Promise<SessionView | null> {
    return this.sessionModel
      .findOne({ _id: sessionId, tenantId }, SESSION_FIELDS)
      .lean<SessionView>()
      .exec();
  }

  /** Every stored event of the session, in seq order (reads its pages by `_id`). */
  async events(tenantId: string, sessionId: string): Promise<StoredEventView[]> {
    const pages = await readSessionPages<SessionEventPage>(this.pageModel, tenantId, [sessionId]);
    return pages
      .get(sessionId)!
      .flatMap((p) => p.events.map((e) => ({ seq: e.seq, body: e.body })));
  }

  /** The session's feedback, oldest first (feedback ids are time-ordered). */
  feedback(tenantId: string, sessionId: string): Promise<FeedbackView[]> {
    return this.feedbackModel
      .find({ tenantId, sessionId }, { _id: 1, rating: 1, comment: 1, eventId: 1, createdAt: 1 })
      .sort({ _id: 1 })
      .lean<FeedbackView[]>()
      .exec();
  }

  /**
   * The feedback of a session read just before: none without a query when the session says it
   * has none (`hasFeedback: false`, most sessions), else `feedback`. The grader reads it once per
   * grade; the query it skips finds a session's feedback by `{ tenantId, sessionId }`, which the
   * embedded MongoDB-wire server answers by scanning all the store's feedback. Feedback stored
   * after the session was read may be missed either way (as by a query sent a moment earlier):
   * whoever wants it counted (a regrade) asks after it was stored.
   */
  feedbackOf(
    tenantId: string,
    session: Pick<SessionView, '_id' | 'hasFeedback'>,
  ): Promise<FeedbackView[]> {
    if (session.hasFeedback === false) return Promise.resolve([]);
    return this.feedback(tenantId, session._id);
  }

  /** Those of `ids` that are sessions of this tenant (in no particular order). */
  sessionsByIds(tenantId: string, ids: string[]): Promise<SessionRef[]> {
    return this.byIds<SessionRef>(tenantId, ids, REF_FIELDS);
  }

  /**
   * The status of those of `ids` that are sessions of this tenant (in no particular order): one
   * read by `_id $in`, however many runs watch their sessions.
   */
  statusesByIds(tenantId: string, ids: string[]): Promise<SessionStatusView[]> {
    return this.byIds<SessionStatusView>(tenantId, ids, STATUS_FIELDS);
  }

  /** `fields` of those of `ids` that are sessions of this tenant: one read by `_id $in`. */
  private byIds<T>(tenantId: string, ids: string[], fields: Record<string, 1>): Promise<T[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.sessionModel
      .find({ _id: { $in: ids }, tenantId }, fields)
      .lean<T[]>()
      .exec();
  }

  /** The agent's most recent sessions that have ended (any end status), newest first. */
  recentEnded(tenantId: string, agentId: string, limit: number): Promise<SessionRef[]> {
    return this.sessionModel
      .find({ tenantId, agentId, status: { $ne: 'running' } }, REF_FIELDS)
      .sort({ _id: -1 })
      .limit(limit)
      .lean<SessionRef[]>()
      .exec();
  }

  /**
   * The agent's ended sessions a dream reviews, in (end time, id) order: those of `ids`, or those
   * after the `after` cursor (all when null), at most `limit`. The cursor is the last session the
   * previous dream reviewed, so sessions that ended in the same millisecond on both sides of a
   * `limit` are neither skipped nor reviewed twice.
   */
  endedForReview(
    tenantId: string,
    agentId: string,
    query: { ids?: string[]; after?: ReviewCursor | null; limit: number },
  ): Promise<SessionView[]> {
    const filter: Record<string, unknown> = { tenantId, agentId, status: { $ne: 'running' } };
    if (query.ids) filter._id = { $in: query.ids };
    const after = query.after;
    if (after?.sessionId)
      filter.$or = [
        { endedAt: { $gt: after.endedAt } },
        { endedAt: after.endedAt, _id: { $gt: after.sessionId } },
      ];
    else if (after) filter.endedAt = { $gt: after.endedAt };
    return this.sessionModel
      .find(filter, SESSION_FIELDS)
      .sort({ endedAt: 1, _id: 1 })
      .limit(query.limit)
      .lean<SessionView[]>()
      .exec();
  }

  /**
   * Events of several sessions (their pages read by `_id`, a few rounds for all of them, never a
   * pass over the collection), narrowed by `bodyFilter`, a MongoDB filter on the stored event
   * (e.g. `{ 'body.name': 'apply_rule' }`) applied in memory (see `event-filter.ts` for the
   * operators it takes); by session, then seq.
   *
   * Why in memory (measured against mongo-java-server 1.47, the embedded default): a `find`
   * projection with an aggregation `$filter` over `events` is silently dropped there (the field
   * comes back missing, not filtered), and an aggregation `$match` on `_id $in` does not use the
   * `_id` index: 10 pages by `_id` took 3 ms with `find` and 526 ms with `aggregate` over 50,000
   * pages, so it would make one session's read depend on the store's size. `$slice` and
   * `$elemMatch` projections work on both servers but cannot express a filter that keeps many
   * events. Real MongoDB (4.4+) takes the `$filter` projection; one code path for both keeps it here.
   */
  async eventsOf(
    tenantId: string,
    sessionIds: string[],
    bodyFilter: Record<string, unknown> = {},
  ): Promise<Array<StoredEventView & { sessionId: string }>> {
    if (sessionIds.length === 0) return [];
    checkFilter(bodyFilter);
    const ids = [...new Set(sessionIds)].sort();
    const pages = await readSessionPages<SessionEventPage>(this.pageModel, tenantId, ids);
    return ids.flatMap((sessionId) =>
      pages
        .get(sessionId)!
        .flatMap((p) =>
          p.events
            .map((e) => ({ sessionId, seq: e.seq, body: e.body }))
            .filter((e) => matches(e, bodyFilter)),
        ),
    );
  }
}
