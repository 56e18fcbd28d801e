import type { Page } from './types';

/**
 * Every item of a cursor-paged list, page after page (`after_id` = the previous page's `last_id`),
 * fetched lazily: stop iterating and no further page is asked for.
 */
export async function* paginate<T>(
  fetchPage: (afterId: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let after: string | undefined;
  for (;;) {
    const page = await fetchPage(after);
    yield* page.data;
    if (!page.has_more || page.last_id === null || page.last_id === after) return;
    after = page.last_id;
  }
}

/** Collects an async iterable into an array (at most `max` items, when given). */
export async function collect<T>(items: AsyncIterable<T>, max = Infinity): Promise<T[]> {
  const out: T[] = [];
  if (max <= 0) return out;
  for await (const item of items) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
}
