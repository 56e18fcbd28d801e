import type { Schema } from 'mongoose';
import { AgentSchema } from './schemas/agent.schema';
import { ApiKeySchema } from './schemas/api-key.schema';
import { BatchSchema } from './schemas/batch.schema';
import { FeedbackSchema } from './schemas/feedback.schema';
import { SessionEventPageSchema } from './schemas/session-event-page.schema';
import { SessionSchema } from './schemas/session.schema';

/**
 * One query the services make of the sessions domain's collections, as its repository or reader
 * sends it: an example filter (values are placeholders; `$in` and plain values count as equality,
 * other operators as ranges) and its sort. `queries.spec.ts` checks that each has an index that
 * serves it without a collection scan or an in-memory sort, and where a real MongoDB answers,
 * `queries.int-spec.ts` asks its `explain`.
 */
export interface DeclaredQuery {
  /** Who sends it (the repository method or route). */
  serves: string;
  collection: string;
  filter: Record<string, unknown>;
  sort?: Record<string, 1 | -1>;
  /**
   * Sent once per session or stored batch (the ingest's and the grader's path): on the embedded
   * MongoDB-wire server it must be served too, which uses an index only when the filter's fields
   * are exactly the keys of a unique index (or `_id` alone) and scans the collection otherwise.
   */
  perSession?: true;
}

/** The schemas of the collections the queries run against (with their declared indexes). */
export const SESSIONS_SCHEMAS: Record<string, Schema> = {
  sessions: SessionSchema,
  session_event_pages: SessionEventPageSchema,
  feedback: FeedbackSchema,
  agents: AgentSchema,
  api_keys: ApiKeySchema,
  batches: BatchSchema,
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
      'SessionRepository.findById / advanceLastSeq / upsertStarted / markEndStored; SessionReader.session',
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
    serves: 'SessionRepository.cancelUnstarted; SessionReader.sessionsByIds',
    collection: 'sessions',
    filter: { tenantId: T, _id: { $in: ['x'] }, status: 'running' },
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
  // feedback
  {
    serves: 'FeedbackRepository.forSession; SessionReader.feedback',
    collection: 'feedback',
    filter: { tenantId: T, sessionId: 's' },
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
  byId('batches', 'BatchRepository.findById / delete'),
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
];

type IndexKeys = Record<string, 1 | -1>;

function isEquality(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Date) return true;
  const ops = Object.keys(value);
  return ops.length === 1 && (ops[0] === '$in' || ops[0] === '$eq');
}

/**
 * Whether `keys` serves `q` with neither a collection scan nor an in-memory sort: `_id` equality
 * (or `$in`) is the primary index; otherwise the index starts with equality fields of the filter
 * (at least one, the tenant's if the filter has one), then, if the query sorts, exactly the sort
 * fields in order (or all reversed). Filter fields outside the index are checked on the fetched
 * documents, which the equality prefix bounds.
 */
export function serves(keys: IndexKeys, q: DeclaredQuery): boolean {
  const names = Object.keys(keys);
  const equality = new Set(
    Object.entries(q.filter)
      .filter(([, v]) => isEquality(v))
      .map(([k]) => k),
  );
  let m = 0;
  while (m < names.length && equality.has(names[m])) m++;
  if (m === 0) return false;
  if ('tenantId' in q.filter && !names.slice(0, m).includes('tenantId')) return false;
  const sort = Object.entries(q.sort ?? {});
  if (sort.length === 0) return true;
  const rest = names.slice(m, m + sort.length);
  if (rest.length < sort.length || rest.some((k, i) => k !== sort[i][0])) return false;
  const same = sort.every(([k, d]) => keys[k] === d);
  const reversed = sort.every(([k, d]) => keys[k] === -d);
  return same || reversed;
}

/** The index that serves `q` (`_id` for lookups by id), or null when none does. */
export function supportingIndex(q: DeclaredQuery): IndexKeys | null {
  const schema = SESSIONS_SCHEMAS[q.collection];
  if (!schema) return null;
  const indexes: IndexKeys[] = [{ _id: 1 }, ...schema.indexes().map(([keys]) => keys as IndexKeys)];
  return indexes.find((keys) => serves(keys, q)) ?? null;
}

/**
 * The index the embedded MongoDB-wire server (mongo-java-server) uses for `q`: `_id` when the
 * filter is `_id` alone, else a unique index whose keys are exactly the filter's fields, each an
 * equality; null when it would scan the collection.
 */
export function embeddedIndex(q: DeclaredQuery): IndexKeys | null {
  const fields = Object.keys(q.filter).sort();
  if (!Object.values(q.filter).every((v) => isEquality(v))) return null;
  if (fields.length === 1 && fields[0] === '_id') return { _id: 1 };
  const schema = SESSIONS_SCHEMAS[q.collection];
  const unique = (schema?.indexes() ?? []).filter(([, options]) => options?.unique);
  const found = unique.find(([keys]) => Object.keys(keys).sort().join() === fields.join());
  return found ? (found[0] as IndexKeys) : null;
}
