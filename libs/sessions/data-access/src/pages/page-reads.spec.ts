import { cutPage } from '../repositories/session-event.repository';
import type { PageEvent, SessionEventPage } from '../schemas/session-event-page.schema';
import { pagesNeeded, type PageMeta } from './page-reads';

const at = new Date(0);
/** A stored page of `n` events from `firstSeq`, each body about `size` bytes as JSON. */
function page(index: number, firstSeq: number, n: number, size: number): SessionEventPage {
  const events = Array.from({ length: n }, (_, i) => {
    const body = { type: 'observation', clientEventId: `c${firstSeq + i}`, data: { b: '' } };
    body.data.b = 'x'.repeat(size - JSON.stringify(body).length);
    return { _id: `m${firstSeq + i}`, seq: firstSeq + i, body, receivedAt: at, storedAt: at };
  }) as PageEvent[];
  return {
    _id: `t|s|${index}`,
    tenantId: 't',
    sessionId: 's',
    agentId: 'a',
    page: index,
    firstSeq,
    n,
    bytes: n * size,
    closed: false,
    events,
  };
}
const meta = ({
  _id,
  tenantId,
  sessionId,
  page,
  firstSeq,
  n,
  bytes,
}: SessionEventPage): PageMeta => ({
  _id,
  tenantId,
  sessionId,
  page,
  firstSeq,
  n,
  bytes,
});
const MB = 1024 * 1024;

describe('pagesNeeded', () => {
  // Pages of 16 events of 250 KB: a closed page of about 4 MB each.
  const big = Array.from({ length: 10 }, (_, i) => meta(page(i, 1 + 16 * i, 16, 250_000)));

  it('stops at the page whose bodies pass the byte budget, not at the count', () => {
    expect(pagesNeeded(big, 0, 1_000, 4 * MB)).toBe(2);
    expect(pagesNeeded(big, 0, 1_000, Infinity)).toBe(big.length);
    expect(pagesNeeded(big, 0, 10, 4 * MB)).toBe(1);
  });

  it('skips the pages before after_seq and counts only what follows it in the first', () => {
    // seq 40 is on page 2 (33..48): 8 events of it are after 40, 2 MB; page 3 passes 4 MB.
    expect(pagesNeeded(big, 40, 1_000, 4 * MB)).toBe(4);
    expect(pagesNeeded(big, 160, 1_000, 4 * MB)).toBe(big.length);
  });

  it('counts events of full small pages as before', () => {
    const small = Array.from({ length: 5 }, (_, i) => meta(page(i, 1 + 100 * i, 100, 200)));
    expect(pagesNeeded(small, 0, 250, 4 * MB)).toBe(3);
    expect(pagesNeeded(small, 95, 10, 4 * MB)).toBe(2);
  });
});

describe('cutPage', () => {
  const pages = [page(0, 1, 16, 250_000), page(1, 17, 16, 250_000)];

  it('stops before the event that would pass the budget and says more follow', () => {
    const { events, hasMore } = cutPage(pages, 0, 1_000, 4 * MB, false);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => 1 + i));
    expect(hasMore).toBe(true);
  });

  it('always holds one event, however large', () => {
    const { events, hasMore } = cutPage(pages, 3, 1_000, 1_000, false);
    expect(events.map((e) => e.seq)).toEqual([4]);
    expect(hasMore).toBe(true);
  });

  it('cuts at the limit, and says whether stored pages follow when the pages run out', () => {
    expect(cutPage(pages, 0, 5, Infinity, false)).toMatchObject({ hasMore: true });
    expect(cutPage(pages, 0, 5, Infinity, false).events).toHaveLength(5);
    expect(cutPage(pages, 20, 1_000, Infinity, false)).toMatchObject({ hasMore: false });
    expect(cutPage(pages, 20, 1_000, Infinity, true)).toMatchObject({ hasMore: true });
    expect(cutPage(pages, 20, 1_000, Infinity, true).events).toHaveLength(12);
  });
});
