import type { PageEvent, SessionEventPage } from '../schemas/session-event-page.schema';

/** Events per page: a 200-event session is 2 pages, a batch of 500 new events 5 inserts. */
export const PAGE_EVENTS = 100;
/**
 * A page closes early when its bodies would pass this many JSON bytes, so a page stays far under
 * MongoDB's 16 MB document limit even at the gateway's largest MAX_EVENT_BYTES (900,000).
 */
export const PAGE_BYTES = 4 * 1024 * 1024;

/** The `_id` of page `page` of a session. */
export function pageId(tenantId: string, sessionId: string, page: number): string {
  return `${tenantId}|${sessionId}|${page}`;
}

/** The last stored page of a session, as far as a writer needs it. */
export interface PageTail {
  page: number;
  n: number;
  bytes: number;
  closed: boolean;
  /**
   * Whether the stored page carries `closed` at all. Pages written before it was always set
   * (`closed: false` from the start) lack it, and their guard cannot match `closed: false`.
   */
  legacy?: boolean;
}

/**
 * What the ingest writer knows of a session's stored events: the last seq, every stored envelope id
 * (to recognise re-sends) and the tail page the next events go into if they fit.
 */
export interface SessionLog {
  tenantId: string;
  sessionId: string;
  lastSeq: number;
  ids: Set<string>;
  tail: PageTail | null;
}

/** An event to store, with its body's JSON size. */
export interface SizedEvent {
  event: PageEvent;
  bytes: number;
}

/** Events appended to the stored tail page, guarded by the count the writer saw. */
export interface TailAppend {
  _id: string;
  expectN: number;
  events: PageEvent[];
  bytes: number;
  /** The next event did not fit: mark the page closed so no writer appends to it again. */
  close: boolean;
  /** The page lacks the `closed` field (see PageTail.legacy): guard with `$ne: true` instead. */
  legacy: boolean;
}

/** The writes that store a run of events: at most one append, then new pages in order. */
export interface PageWrites {
  append: TailAppend | null;
  inserts: SessionEventPage[];
  tail: PageTail | null;
}

export function isClosed(tail: PageTail): boolean {
  return tail.closed || tail.n >= PAGE_EVENTS;
}

function fits(tail: PageTail, bytes: number): boolean {
  return !isClosed(tail) && (tail.n === 0 || tail.bytes + bytes <= PAGE_BYTES);
}

/**
 * Places `events` (already numbered after `log.lastSeq`) into pages: first the stored tail page
 * while they fit, then new pages. Pure: the caller writes the result and then updates its log.
 */
export function planPageWrites(log: SessionLog, agentId: string, events: SizedEvent[]): PageWrites {
  const stored = log.tail;
  let tail: PageTail | null = stored ? { ...stored } : null;
  let append: TailAppend | null = null;
  const inserts: SessionEventPage[] = [];
  const inStoredTail = () => stored !== null && tail !== null && tail.page === stored.page;

  for (const { event, bytes } of events) {
    if (!tail || !fits(tail, bytes)) {
      if (tail && !isClosed(tail)) {
        // Closed by size, not by count: say so, or a reader could not tell it ends here.
        if (inStoredTail()) append = closeStored(append, stored!, log);
        else inserts[inserts.length - 1].closed = true;
        tail.closed = true;
      }
      const page = tail ? tail.page + 1 : 0;
      inserts.push(newPage(log, agentId, page, event.seq));
      tail = { page, n: 0, bytes: 0, closed: false };
    }
    if (inStoredTail()) {
      append ??= emptyAppend(stored!, log);
      append.events.push(event);
      append.bytes += bytes;
    } else {
      const doc = inserts[inserts.length - 1];
      doc.events.push(event);
      doc.n += 1;
      doc.bytes += bytes;
    }
    tail.n += 1;
    tail.bytes += bytes;
  }
  return { append, inserts, tail };
}

function emptyAppend(stored: PageTail, log: SessionLog): TailAppend {
  return {
    _id: pageId(log.tenantId, log.sessionId, stored.page),
    expectN: stored.n,
    events: [],
    bytes: 0,
    close: false,
    legacy: stored.legacy === true,
  };
}

function closeStored(append: TailAppend | null, stored: PageTail, log: SessionLog): TailAppend {
  const a = append ?? emptyAppend(stored, log);
  a.close = true;
  return a;
}

function newPage(log: SessionLog, agentId: string, page: number, firstSeq: number) {
  return {
    _id: pageId(log.tenantId, log.sessionId, page),
    tenantId: log.tenantId,
    sessionId: log.sessionId,
    agentId,
    page,
    firstSeq,
    n: 0,
    bytes: 0,
    // Always present, so the tail append's guard is an equality the unique index serves.
    closed: false,
    events: [] as PageEvent[],
  } as SessionEventPage;
}

/** A session's state as its stored pages say (pages in order, from 0, without holes). */
export function logFromPages(
  tenantId: string,
  sessionId: string,
  pages: Array<
    Pick<SessionEventPage, 'page' | 'n' | 'bytes' | 'closed' | 'firstSeq'> & {
      events: Array<Pick<PageEvent, '_id'>>;
    }
  >,
): SessionLog {
  const ids = new Set<string>();
  for (const p of pages) for (const e of p.events) ids.add(e._id);
  const last = pages.at(-1);
  return {
    tenantId,
    sessionId,
    lastSeq: last ? last.firstSeq + last.n - 1 : 0,
    ids,
    tail: last
      ? {
          page: last.page,
          n: last.n,
          bytes: last.bytes,
          closed: last.closed === true,
          legacy: typeof last.closed !== 'boolean',
        }
      : null,
  };
}
