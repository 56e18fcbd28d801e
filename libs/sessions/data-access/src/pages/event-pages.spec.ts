import type { PageEvent } from '../schemas/session-event-page.schema';
import {
  logFromPages,
  PAGE_BYTES,
  PAGE_EVENTS,
  planPageWrites,
  type SessionLog,
  type SizedEvent,
} from './event-pages';
import { appendGuard } from './page-writes';

const at = new Date(0);
const events = (from: number, count: number, bytes = 100): SizedEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    event: {
      _id: `m${from + i}`,
      seq: from + i,
      body: { type: 'message', clientEventId: `c${from + i}`, role: 'user', content: '' },
      receivedAt: at,
      storedAt: at,
    } as PageEvent,
    bytes,
  }));
const emptyLog = (): SessionLog => ({
  tenantId: 't',
  sessionId: 's',
  lastSeq: 0,
  ids: new Set(),
  tail: null,
});

describe('planPageWrites', () => {
  it('puts a new session’s events into full pages, numbered from 0', () => {
    const w = planPageWrites(emptyLog(), 'a', events(1, 250));
    expect(w.append).toBeNull();
    expect(w.inserts.map((p) => [p._id, p.firstSeq, p.n])).toEqual([
      ['t|s|0', 1, 100],
      ['t|s|1', 101, 100],
      ['t|s|2', 201, 50],
    ]);
    expect(w.tail).toEqual({ page: 2, n: 50, bytes: 5_000, closed: false });
  });

  it('fills the stored tail page first, guarded by the count it saw, then opens the next', () => {
    const log = {
      ...emptyLog(),
      lastSeq: 130,
      tail: { page: 1, n: 30, bytes: 3_000, closed: false },
    };
    const w = planPageWrites(log, 'a', events(131, 80));
    expect(w.append).toMatchObject({ _id: 't|s|1', expectN: 30, close: false, bytes: 7_000 });
    expect(w.append!.events.map((e) => e.seq)).toEqual(
      Array.from({ length: 70 }, (_, i) => 131 + i),
    );
    expect(w.inserts.map((p) => [p.page, p.firstSeq, p.n])).toEqual([[2, 201, 10]]);
  });

  it('closes a page by size, marking it so readers and writers know it ended', () => {
    const big = PAGE_BYTES / 2 + 1;
    const w = planPageWrites(emptyLog(), 'a', events(1, 3, big));
    expect(w.inserts.map((p) => [p.page, p.n, p.closed])).toEqual([
      [0, 1, true],
      [1, 1, true],
      [2, 1, false],
    ]);
    const stored = {
      ...emptyLog(),
      lastSeq: 1,
      tail: { page: 0, n: 1, bytes: big, closed: false },
    };
    const next = planPageWrites(stored, 'a', events(2, 1, big));
    expect(next.append).toMatchObject({ _id: 't|s|0', expectN: 1, close: true, events: [] });
    expect(appendGuard(next.append!)).toEqual({ _id: 't|s|0', n: 1, closed: false });
    expect(next.inserts.map((p) => p.page)).toEqual([1]);
  });

  it('starts the next page after a full or closed stored tail without touching it', () => {
    const full = {
      ...emptyLog(),
      lastSeq: 100,
      tail: { page: 0, n: PAGE_EVENTS, bytes: 1, closed: false },
    };
    expect(planPageWrites(full, 'a', events(101, 1)).append).toBeNull();
    const closed = { ...emptyLog(), lastSeq: 3, tail: { page: 0, n: 3, bytes: 1, closed: true } };
    const w = planPageWrites(closed, 'a', events(4, 1));
    expect([w.append, w.inserts[0].page, w.inserts[0].firstSeq]).toEqual([null, 1, 4]);
  });
});

describe('logFromPages', () => {
  it('reads the last seq, every id and the tail from stored pages', () => {
    const log = logFromPages('t', 's', [
      { page: 0, n: 2, bytes: 10, firstSeq: 1, closed: true, events: [{ _id: 'a' }, { _id: 'b' }] },
      { page: 1, n: 1, bytes: 5, firstSeq: 3, events: [{ _id: 'c' }] },
    ]);
    expect(log).toEqual({
      tenantId: 't',
      sessionId: 's',
      lastSeq: 3,
      ids: new Set(['a', 'b', 'c']),
      tail: { page: 1, n: 1, bytes: 5, closed: false, legacy: true },
    });
    expect(logFromPages('t', 's', []).lastSeq).toBe(0);
  });

  it('guards the tail append by equality, the scanning $ne only on a page stored without closed', () => {
    const page = { page: 0, n: 2, bytes: 10, firstSeq: 1, events: [{ _id: 'a' }, { _id: 'b' }] };
    const guard = (pages: Parameters<typeof logFromPages>[2]) => {
      const log = logFromPages('t', 's', pages);
      return appendGuard(planPageWrites(log, 'a', events(3, 1)).append!);
    };
    expect(guard([{ ...page, closed: false }])).toEqual({ _id: 't|s|0', n: 2, closed: false });
    expect(guard([page])).toEqual({ _id: 't|s|0', n: 2, closed: { $ne: true } });
  });
});
