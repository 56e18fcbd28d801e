import type { Model } from 'mongoose';
import type { SessionEventPage } from '../schemas/session-event-page.schema';
import { PAGE_EVENTS, pageId } from './event-pages';

/** At most this many page ids in one `$in` (a dream reads up to 1,000 sessions at once). */
const MAX_IDS_PER_QUERY = 4_000;
const FIRST_PROBE = 4;
const MAX_PROBE = 256;

type Projection = Record<string, 0 | 1>;
type PageLike = Pick<SessionEventPage, '_id' | 'tenantId' | 'sessionId' | 'page'>;

/** Pages by `_id` (the primary index on every server), checked to be this tenant's. */
async function pagesById<T extends PageLike>(
  model: Model<SessionEventPage>,
  tenantId: string,
  ids: string[],
  projection?: Projection,
): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + MAX_IDS_PER_QUERY);
    const docs = await model
      .find({ _id: { $in: chunk } }, projection ? { ...projection, ...PAGE_KEYS } : undefined)
      .lean<T[]>()
      .exec();
    found.push(...docs.filter((d) => d.tenantId === tenantId));
  }
  return found;
}

const PAGE_KEYS: Projection = { _id: 1, tenantId: 1, sessionId: 1, page: 1 };

/**
 * Every page of each session, in page order: rounds of `_id $in` over the next 4, 8, 16, ... page
 * ids of the sessions not yet known to end, until each session's next page is missing. What it
 * costs is what the sessions hold (their page count), never what the collection holds.
 */
export async function readSessionPages<T extends PageLike>(
  model: Model<SessionEventPage>,
  tenantId: string,
  sessionIds: string[],
  projection?: Projection,
): Promise<Map<string, T[]>> {
  const result = new Map<string, T[]>(sessionIds.map((id) => [id, []]));
  let pending = [...result.keys()];
  for (let width = FIRST_PROBE; pending.length > 0; width = Math.min(width * 2, MAX_PROBE)) {
    const ids = pending.flatMap((s) => {
      const next = result.get(s)!.length;
      return Array.from({ length: width }, (_, i) => pageId(tenantId, s, next + i));
    });
    const docs = await pagesById<T>(model, tenantId, ids, projection);
    pending = pending.filter((s) => appendRound(result.get(s)!, docs, s, width));
  }
  return result;
}

/** Adds a round's pages of session `s` in order; true when all `width` came back (read on). */
function appendRound<T extends PageLike>(pages: T[], docs: T[], s: string, width: number): boolean {
  const start = pages.length;
  const round = docs
    .filter((d) => d.sessionId === s && d.page >= start && d.page < start + width)
    .sort((a, b) => a.page - b.page);
  for (const [i, d] of round.entries()) {
    if (d.page !== start + i) return false; // a hole: nothing after it belongs to the session
    pages.push(d);
  }
  return round.length === width;
}

/**
 * The pages holding events after `afterSeq`, enough for `count` of them: page ⌊afterSeq / 100⌋
 * is the first that can hold seq afterSeq + 1 (no page holds more than 100), then on until
 * `count` events are found or the session ends.
 */
export async function readPagesFrom<T extends PageLike & { firstSeq: number; n: number }>(
  model: Model<SessionEventPage>,
  tenantId: string,
  sessionId: string,
  afterSeq: number,
  count: number,
): Promise<T[]> {
  const pages: T[] = [];
  let next = Math.floor(afterSeq / PAGE_EVENTS);
  let width = Math.ceil(count / PAGE_EVENTS) + 1;
  let have = 0;
  for (;;) {
    const ids = Array.from({ length: width }, (_, i) => pageId(tenantId, sessionId, next + i));
    const docs = (await pagesById<T>(model, tenantId, ids))
      .filter((d) => d.sessionId === sessionId)
      .sort((a, b) => a.page - b.page);
    for (const [i, d] of docs.entries()) {
      if (d.page !== next + i) return pages;
      pages.push(d);
      have += Math.max(0, d.firstSeq + d.n - 1 - Math.max(afterSeq, d.firstSeq - 1));
    }
    if (docs.length < width || have >= count) return pages;
    next += width;
    width = Math.min(width * 2, MAX_PROBE);
  }
}

/** What choosing an API page reads of each page: no bodies. */
const META_FIELDS: Projection = { firstSeq: 1, n: 1, bytes: 1 };

export type PageMeta = PageLike & Pick<SessionEventPage, 'firstSeq' | 'n' | 'bytes'>;

/**
 * How many of `metas` (a session's pages in order) are needed for the `count` events after
 * `afterSeq`, or until their bodies pass `maxBytes` (a page's `bytes` shared out over its events):
 * all of them when they hold less than either.
 */
export function pagesNeeded(
  metas: PageMeta[],
  afterSeq: number,
  count: number,
  maxBytes: number,
): number {
  let have = 0;
  let bytes = 0;
  for (const [i, m] of metas.entries()) {
    const after = Math.max(0, m.firstSeq + m.n - 1 - Math.max(afterSeq, m.firstSeq - 1));
    if (after === 0) continue;
    have += after;
    bytes += (m.bytes * after) / m.n;
    if (have >= count || bytes > maxBytes) return i + 1;
  }
  return metas.length;
}

/**
 * The pages an API page of events needs (see pagesNeeded), bodies read only for those: first their
 * `firstSeq`, `n` and `bytes` (rounds of `_id $in` from page ⌊afterSeq / 100⌋, the first that can
 * hold afterSeq + 1), then the pages holding events after `afterSeq` in one `_id $in`. So a session
 * of large events costs a request what its answer holds, not `count` events' worth of pages, nor
 * the pages it skips. `more`: a page follows the ones returned.
 */
export async function readPagesWithin<T extends PageMeta>(
  model: Model<SessionEventPage>,
  tenantId: string,
  sessionId: string,
  afterSeq: number,
  count: number,
  maxBytes: number,
): Promise<{ pages: T[]; more: boolean }> {
  const metas: PageMeta[] = [];
  let next = Math.floor(afterSeq / PAGE_EVENTS);
  let width = Math.ceil(count / PAGE_EVENTS) + 1;
  for (;;) {
    const ids = Array.from({ length: width }, (_, i) => pageId(tenantId, sessionId, next + i));
    const docs = (await pagesById<PageMeta>(model, tenantId, ids, META_FIELDS))
      .filter((d) => d.sessionId === sessionId)
      .sort((a, b) => a.page - b.page);
    const contiguous = docs.findIndex((d, i) => d.page !== next + i);
    metas.push(...(contiguous === -1 ? docs : docs.slice(0, contiguous)));
    // The session ends in this round, or a page past what is needed is known: enough read.
    if (contiguous !== -1 || docs.length < width) break;
    if (pagesNeeded(metas, afterSeq, count, maxBytes) < metas.length) break;
    next += width;
    width = Math.min(width * 2, MAX_PROBE);
  }
  const needed = pagesNeeded(metas, afterSeq, count, maxBytes);
  const wanted = metas.slice(0, needed).filter((m) => m.firstSeq + m.n - 1 > afterSeq);
  const pages = wanted.length
    ? (
        await pagesById<T>(
          model,
          tenantId,
          wanted.map((m) => m._id),
        )
      ).sort((a, b) => a.page - b.page)
    : [];
  return { pages, more: needed < metas.length };
}
