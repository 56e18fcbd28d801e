import type { SessionEventBody } from '@reverie/contracts';
import type { Connection, Model } from 'mongoose';
import { logFromPages, planPageWrites, type SessionLog } from '../pages/event-pages';
import { readSessionPages } from '../pages/page-reads';
import { writePages } from '../pages/page-writes';
import {
  SessionEventPage,
  SessionEventPageSchema,
  type PageEvent,
} from '../schemas/session-event-page.schema';

/**
 * Where events were stored before pages, one document per event: read (and emptied) only by this
 * migration, never declared as a model, so a new deployment does not create it.
 */
export const LEGACY_EVENTS = { collection: 'session_events' } as const;

/** A legacy per-event document, as the gateway stored it before pages. */
interface LegacyEvent {
  _id: string;
  tenantId: string;
  sessionId: string;
  agentId: string;
  seq: number;
  body: SessionEventBody;
  occurredAt?: Date;
  receivedAt: Date;
  storedAt: Date;
}

export interface MigrationReport {
  sessions: number;
  /** Events written into pages by this run. */
  moved: number;
  /** Events that pages already held (an earlier run stopped before removing them). */
  alreadyPaged: number;
  /** Sessions left in the legacy collection because their pages do not continue them. */
  refused: string[];
}

const LOG_FIELDS = { page: 1, n: 1, bytes: 1, closed: 1, firstSeq: 1, 'events._id': 1 } as const;

/**
 * Moves every event of the legacy `session_events` collection into its session's pages, then
 * removes it there. Idempotent and safe to stop at any point: per session it reads what the pages
 * hold, writes only the events after it (the same guarded writes as ingest) and removes the
 * legacy documents only once their pages are stored; a rerun finishes what a stopped one began.
 * Run before ingest starts (the gateway does so at start-up), or with `npm run migrate:event-pages`.
 */
export async function migrateEventsToPages(
  connection: Connection,
  say: (line: string) => void = () => undefined,
): Promise<MigrationReport> {
  const report: MigrationReport = { sessions: 0, moved: 0, alreadyPaged: 0, refused: [] };
  const legacy = legacyCollection(connection);
  if ((await legacy.estimatedDocumentCount()) === 0) return report;
  const pages = pageModel(connection);
  say(`moving ${LEGACY_EVENTS.collection} into session_event_pages...`);
  // By (tenant, session, seq): the legacy unique index on a real MongoDB; one session at a time.
  const cursor = legacy.find({}).sort({ tenantId: 1, sessionId: 1, seq: 1 }).batchSize(1_000);
  let group: LegacyEvent[] = [];
  for await (const doc of cursor) {
    if (
      group.length &&
      (doc.tenantId !== group[0].tenantId || doc.sessionId !== group[0].sessionId)
    ) {
      await migrateSession(pages, legacy, group, report);
      group = [];
    }
    group.push(doc);
  }
  if (group.length) await migrateSession(pages, legacy, group, report);
  if ((await legacy.countDocuments({}, { limit: 1 })) === 0)
    await legacy.drop().catch(() => undefined);
  say(
    `moved ${report.moved} events of ${report.sessions} sessions into pages` +
      (report.refused.length
        ? `; left ${report.refused.length} sessions: ${report.refused.join(', ')}`
        : ''),
  );
  return report;
}

function legacyCollection(connection: Connection) {
  return connection.collection<LegacyEvent>(LEGACY_EVENTS.collection);
}

function pageModel(connection: Connection): Model<SessionEventPage> {
  return (connection.models[SessionEventPage.name] ??
    connection.model(SessionEventPage.name, SessionEventPageSchema)) as Model<SessionEventPage>;
}

async function migrateSession(
  pages: Model<SessionEventPage>,
  legacy: ReturnType<typeof legacyCollection>,
  events: LegacyEvent[],
  report: MigrationReport,
): Promise<void> {
  const { tenantId, sessionId, agentId } = events[0];
  report.sessions += 1;
  const log = await loadLog(pages, tenantId, sessionId);
  const done = events.filter((e) => e.seq <= log.lastSeq);
  const todo = events.filter((e) => e.seq > log.lastSeq);
  // An old event at a seq the pages already hold must be that very event (an earlier, interrupted
  // run moved it): anything else (events numbered anew before the move, an old writer still at
  // work) would be deleted unstored, so the session is left where it is and named.
  if (!done.every((e) => log.ids.has(e._id)) || !continues(log, todo)) {
    report.refused.push(`${tenantId}/${sessionId}`);
    return;
  }
  report.alreadyPaged += done.length;
  const writes = planPageWrites(log, agentId, todo.map(toSized));
  await writePages(pages.collection, writes);
  report.moved += todo.length;
  await legacy.deleteMany({ _id: { $in: events.map((e) => e._id) as never[] } });
}

/** The legacy events pick up right after what the pages hold, gap-free, ids not yet stored. */
function continues(log: SessionLog, todo: LegacyEvent[]): boolean {
  return todo.every((e, i) => e.seq === log.lastSeq + 1 + i && !log.ids.has(e._id));
}

async function loadLog(pages: Model<SessionEventPage>, tenantId: string, sessionId: string) {
  const found = await readSessionPages(pages, tenantId, [sessionId], LOG_FIELDS);
  return logFromPages(tenantId, sessionId, found.get(sessionId)! as unknown as SessionEventPage[]);
}

function toSized(e: LegacyEvent) {
  const event: PageEvent = {
    _id: e._id,
    seq: e.seq,
    body: e.body,
    receivedAt: e.receivedAt,
    storedAt: e.storedAt,
  };
  if (e.occurredAt) event.occurredAt = e.occurredAt;
  return { event, bytes: JSON.stringify(e.body).length };
}
