import {
  embeddedIndexIn,
  serves,
  supportingIndexIn,
  type DeclaredQuery,
  type IndexKeys,
} from '@reverie/service-kit';
import type { Schema } from 'mongoose';
import { AgentSchema } from './schemas/agent.schema';
import { ApiKeySchema } from './schemas/api-key.schema';
import { BatchSchema } from './schemas/batch.schema';
import { FeedbackSchema } from './schemas/feedback.schema';
import { IdempotencyKeySchema } from './schemas/idempotency-key.schema';
import { SessionEventPageSchema } from './schemas/session-event-page.schema';
import { SessionSchema } from './schemas/session.schema';

/**
 * The queries the services make of the sessions domain's collections (see `DeclaredQuery`):
 * `queries.spec.ts` checks that each has an index that serves it without a collection scan or an
 * in-memory sort, and where a real MongoDB answers, `queries.int-spec.ts` asks its `explain`.
 */
export type { DeclaredQuery };
export { serves };

/** The schemas of the collections the queries run against (with their declared indexes). */
export const SESSIONS_SCHEMAS: Record<string, Schema> = {
  sessions: SessionSchema,
  session_event_pages: SessionEventPageSchema,
  feedback: FeedbackSchema,
  agents: AgentSchema,
  api_keys: ApiKeySchema,
  batches: BatchSchema,
  idempotency_keys: IdempotencyKeySchema,
};

const T = 'acme';
const byId = (collection: string, serves: string, extra: Record<string, unknown> = {}) => ({
  serves,
  collection,
  filter: { _id: 'x', tenantId: T, ...extra },
});

export const SESSIONS_QUERIES: DeclaredQuery[] = [
  // sessions
  {
    ...byId(
      'sessions',
      'SessionRepository.findById / advanceLastSeq / upsertStarted / markEndStored / markFeedback; SessionReader.session',
    ),
    perSession: true,
  },
  {
    serves:
      'SessionRepository.end / startRevision (compare-and-set on the status and attempt just read)',
    collection: 'sessions',
    filter: { _id: 'x', tenantId: T, status: 'running', iteration: null },
    perSession: true,
  },
  {
    serves: 'SessionRepository.cancelUnsent; SessionReader.sessionsByIds',
    collection: 'sessions',
    filter: { tenantId: T, _id: { $in: ['x'] }, status: 'running' },
  },
  {
    // Only after a run command was not acknowledged (a keyed retry, or the end of a run whose
    // cancel raced its start): rare, so not one of the per-session queries.
    serves: 'SessionRepository.end (of a session canceled as not acknowledged)',
    collection: 'sessions',
    filter: { _id: 'x', tenantId: T, status: 'canceled', endReason: 'r' },
  },
  {
    // A keyed retry of a create: rare, as above.
    serves: 'SessionRepository.reopenUnsent / reopenAllUnsent',
    collection: 'sessions',
    filter: { _id: { $in: ['x'] }, tenantId: T, status: 'canceled', endReason: 'r' },
  },
  {
    serves: 'SessionRepository.insertMissing / statusesOf (a keyed retry of a batch)',
    collection: 'sessions',
    filter: { tenantId: T, _id: { $in: ['x'] } },
  },
  {
    serves: 'GET /v1/sessions (SessionRepository.list, no filter)',
    collection: 'sessions',
    filter: { tenantId: T, _id: { $lt: 'x' } },
    sort: { _id: -1 },
  },
  {
    serves: 'GET /v1/sessions?agentId=',
    collection: 'sessions',
    filter: { tenantId: T, agentId: 'a', _id: { $lt: 'x' } },
    sort: { _id: -1 },
  },
  {
    serves: 'GET /v1/sessions?from=&to= (a time range is an id range: ids start with their ms)',
    collection: 'sessions',
    filter: { tenantId: T, _id: { $gte: 'ses_from', $lt: 'ses_to' } },
    sort: { _id: -1 },
  },
  {
    serves: 'GET /v1/sessions?agentId=&from=&to=',
    collection: 'sessions',
    filter: { tenantId: T, agentId: 'a', _id: { $gte: 'ses_from', $lt: 'ses_to' } },
    sort: { _id: -1 },
  },
  {
    serves: 'GET /v1/sessions?status=',
    collection: 'sessions',
    filter: { tenantId: T, status: 'failed' },
    sort: { _id: -1 },
  },
  {
    serves: 'GET /v1/sessions?batchId=',
    collection: 'sessions',
    filter: { tenantId: T, batchId: 'b' },
    sort: { _id: -1 },
  },
  {
    serves: 'SessionRepository.batchPage (GET /v1/batches/:id)',
    collection: 'sessions',
    filter: { tenantId: T, batchId: 'b', _id: { $gt: 'x' } },
    sort: { _id: 1 },
  },
  {
    serves: 'SessionRepository.countByBatchAndStatus (batch progress)',
    collection: 'sessions',
    filter: { tenantId: T, batchId: { $in: ['b'] } },
  },
  {
    serves: 'SessionRepository.deleteBatchSessions',
    collection: 'sessions',
    filter: { tenantId: T, batchId: 'b' },
  },
  {
    serves: 'SessionReader.recentEnded',
    collection: 'sessions',
    filter: { tenantId: T, agentId: 'a', status: { $ne: 'running' } },
    sort: { _id: -1 },
  },
  {
    serves: "SessionReader.endedForReview (a dream's collect stage)",
    collection: 'sessions',
    filter: {
      tenantId: T,
      agentId: 'a',
      status: { $ne: 'running' },
      endedAt: { $gt: new Date(0) },
    },
    sort: { endedAt: 1, _id: 1 },
  },
  // session_event_pages: every read and write goes by computed _id
  {
    serves:
      'SessionReader.events / eventsOf, SessionEventRepository.loadLog / page (pages by _id $in)',
    collection: 'session_event_pages',
    filter: { _id: { $in: ['acme|ses|0'] } },
  },
  {
    serves: 'SessionEventRepository.append (guarded tail append, appendGuard)',
    collection: 'session_event_pages',
    filter: { _id: 'acme|ses|0', n: 3, closed: false },
    perSession: true,
  },
  // feedback. Not per session: it scans the store's feedback on the embedded server, so the grader
  // (SessionReader.feedbackOf) sends it only for a session whose `hasFeedback` is not false (set
  // by markFeedback once feedback is stored; most sessions have none).
  {
    serves:
      'FeedbackRepository.forSession / page (GET feedback) / count (POST feedback, its cap); SessionReader.feedback / feedbackOf',
    collection: 'feedback',
    filter: { tenantId: T, sessionId: 's' },
    sort: { _id: 1 },
  },
  {
    serves: 'FeedbackRepository.page after a cursor (GET feedback?after_id=)',
    collection: 'feedback',
    filter: { tenantId: T, sessionId: 's', _id: { $gt: 'fbk_1' } },
    sort: { _id: 1 },
  },
  // agents
  byId(
    'agents',
    'AgentRepository.findById / replaceSettings; AgentReader; AgentDreamingRepository.recordScheduleError',
  ),
  {
    serves: 'GET /v1/agents (AgentRepository.listByName)',
    collection: 'agents',
    filter: { tenantId: T, name: { $gt: 'a' } },
    sort: { name: 1 },
  },
  {
    serves: "AgentDreamingRepository.enabledAgents (the dream scheduler's tick, every tenant)",
    collection: 'agents',
    filter: { 'dreaming.enabled': true },
  },
  // api_keys
  {
    serves: 'ApiKeyRepository.findActive (key verification)',
    collection: 'api_keys',
    filter: { _id: 'x', revokedAt: { $exists: false } },
  },
  byId('api_keys', 'ApiKeyRepository.findById / revoke / recordUse'),
  {
    serves: 'GET /v1/api-keys (ApiKeyRepository.listActive)',
    collection: 'api_keys',
    filter: { tenantId: T, revokedAt: { $exists: false } },
    sort: { createdAt: -1 },
  },
  {
    serves: 'ApiKeyRepository.countActive',
    collection: 'api_keys',
    filter: { tenantId: T, revokedAt: { $exists: false } },
  },
  // batches
  byId('batches', 'BatchRepository.findById / delete / createOnce'),
  {
    serves: 'GET /v1/batches',
    collection: 'batches',
    filter: { tenantId: T, _id: { $lt: 'x' } },
    sort: { _id: -1 },
  },
  {
    serves: 'GET /v1/batches?agentId=',
    collection: 'batches',
    filter: { tenantId: T, agentId: 'a', _id: { $lt: 'x' } },
    sort: { _id: -1 },
  },
  // idempotency_keys: by the computed _id (`<tenant>|<route>|<key>`), once per keyed request
  {
    serves: 'IdempotencyKeyReader.find; IdempotencyKeyWriter.claim (re-read after a duplicate)',
    collection: 'idempotency_keys',
    filter: { _id: 'acme|POST /v1/sessions|k' },
    perSession: true,
  },
  {
    serves: 'IdempotencyKeyWriter.claim (taking over an expired record: delete what was read)',
    collection: 'idempotency_keys',
    filter: { _id: 'acme|POST /v1/sessions|k', expiresAt: new Date(0) },
    perSession: true,
  },
];

/** The index that serves `q` (`_id` for lookups by id), or null when none does. */
export function supportingIndex(q: DeclaredQuery): IndexKeys | null {
  return supportingIndexIn(SESSIONS_SCHEMAS, q);
}

/** The index the embedded MongoDB-wire server uses for `q`, or null when it would scan. */
export function embeddedIndex(q: DeclaredQuery): IndexKeys | null {
  return embeddedIndexIn(SESSIONS_SCHEMAS, q);
}
