import type { Collection } from 'mongoose';
import type { PageWrites } from './event-pages';

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
    const res = await collection.updateOne(
      { _id: append._id as never, n: append.expectN, closed: { $ne: true } },
      update,
    );
    if (res.matchedCount !== 1) throw new EventPageConflict(append._id);
  }
  if (inserts.length) await collection.insertMany(inserts as never[], { ordered: true });
}
