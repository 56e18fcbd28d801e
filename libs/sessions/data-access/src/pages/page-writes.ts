import type { Collection } from 'mongoose';
import type { PageWrites, TailAppend } from './event-pages';

/**
 * Another writer changed the session's tail page since this one read it (a consumer that lost its
 * partition and has not noticed yet): nothing was written by this call; re-read and re-plan.
 */
export class EventPageConflict extends Error {
  constructor(pageId: string) {
    super(`page ${pageId} changed under this writer`);
  }
}

/**
 * The tail append's guard: the page as the writer saw it (its count, not closed). An equality on
 * exactly the keys of the unique index { _id, n, closed }, so the embedded MongoDB-wire server,
 * which uses an index only for such filters, finds the page by index instead of scanning every
 * page. Pages stored before `closed` was always set keep the `$ne: true` guard (a scan there).
 */
export function appendGuard(append: TailAppend): Record<string, unknown> {
  return append.legacy
    ? { _id: append._id, n: append.expectN, closed: { $ne: true } }
    : { _id: append._id, n: append.expectN, closed: false };
}

/**
 * Writes planned pages in seq order, each write a whole number of events: the tail page's append,
 * guarded by the event count the writer saw (a second writer's append matches nothing: a
 * conflict), then the new pages, ordered (a page that exists refuses the insert: a duplicate key).
 * A crash between writes leaves a stored prefix without holes.
 */
export async function writePages(collection: Collection, { append, inserts }: PageWrites) {
  if (append) {
    const update: Record<string, unknown> = {};
    if (append.events.length) {
      update.$push = { events: { $each: append.events } };
      update.$inc = { n: append.events.length, bytes: append.bytes };
    }
    if (append.close) update.$set = { closed: true };
    const res = await collection.updateOne(appendGuard(append), update);
    if (res.matchedCount !== 1) throw new EventPageConflict(append._id);
  }
  if (inserts.length) await collection.insertMany(inserts as never[], { ordered: true });
}
