import type { SessionStatusView } from '@reverie/sessions-data-access/readers';
import { SessionEndedWhileRunning, SessionWatch, WATCH_READ_IDS } from './session-watch';

const ref = { tenantId: 'acme', sessionId: 'ses_1' };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const aborted = (signal: AbortSignal) =>
  new Promise((r) => signal.addEventListener('abort', r, { once: true }));

type Stored = Omit<SessionStatusView, '_id'>;

/**
 * A watch reading every 10 ms. `answer(tenantId, sessionId, read)` is what is stored for a session
 * at the `read`-th read (an Error fails that read, null: not stored); each read is recorded.
 */
function watchOver(answer: (tenantId: string, sessionId: string, read: number) => Stored | null) {
  const reads: { tenantId: string; ids: string[] }[] = [];
  const watch = new SessionWatch(
    {
      statusesByIds: async (tenantId, ids) => {
        reads.push({ tenantId, ids });
        const found: SessionStatusView[] = [];
        for (const id of ids) {
          const stored = answer(tenantId, id, reads.length);
          if (stored instanceof Error) throw stored;
          if (stored) found.push({ ...stored, _id: id });
        }
        return found;
      },
    },
    { sessionWatchMs: 10 },
  );
  return { watch, reads };
}

describe('SessionWatch', () => {
  it("fires once the run's session has ended, with the reason, and reads no more", async () => {
    const answers = [
      { status: 'running' },
      new Error('connection reset'),
      { status: 'canceled', endReason: 'changed my mind', iteration: 1 },
    ] as Stored[];
    const { watch, reads } = watchOver((_t, _s, read) => answers[Math.min(read, 3) - 1]);
    const run = watch.watch(ref, 1);
    await aborted(run.signal);
    expect(run.signal.reason).toBeInstanceOf(SessionEndedWhileRunning);
    expect((run.signal.reason as Error).message).toBe(
      'its session ended while it ran (canceled: changed my mind)',
    );
    // A failed read was tried again; after the end, no more reads.
    expect(reads).toEqual(Array(3).fill({ tenantId: 'acme', ids: ['ses_1'] }));
    await tick(50);
    expect(reads).toHaveLength(3);
  });

  it('stops reading when the run is over', async () => {
    const { watch, reads } = watchOver(() => ({ status: 'running' }));
    const run = watch.watch(ref, 1);
    await tick(45);
    run.stop();
    await tick(15); // a read out when it stopped may still land
    const seen = reads.length;
    expect(seen).toBeGreaterThan(0);
    await tick(50);
    expect(reads).toHaveLength(seen);
    expect(run.signal.aborted).toBe(false);
  });

  it("reads every run's session in one read per tenant, and stops only the runs whose session ended", async () => {
    const ended = new Set(['ses_b2']);
    const { watch, reads } = watchOver((_t, id) =>
      ended.has(id) ? { status: 'failed', endReason: 'mine' } : { status: 'running' },
    );
    const runs = ['a1', 'a2', 'a3'].map((id) =>
      watch.watch({ tenantId: 'a', sessionId: `ses_${id}` }, 1),
    );
    const [b1, b2] = ['b1', 'b2'].map((id) =>
      watch.watch({ tenantId: 'b', sessionId: `ses_${id}` }, 1),
    );
    await aborted(b2.signal);
    // One tick: tenant a's three sessions in one read, tenant b's two in another.
    expect(reads.slice(0, 2)).toEqual([
      { tenantId: 'a', ids: ['ses_a1', 'ses_a2', 'ses_a3'] },
      { tenantId: 'b', ids: ['ses_b1', 'ses_b2'] },
    ]);
    await tick(30);
    expect([...runs, b1].map((r) => r.signal.aborted)).toEqual([false, false, false, false]);
    // Ticks after it read what is still watched: b2 is not read again.
    expect(reads.at(-1)).toEqual({ tenantId: 'b', ids: ['ses_b1'] });
    for (const r of [...runs, b1]) r.stop();
  });

  it("keeps reading one tenant's sessions when another tenant's read fails", async () => {
    const { watch, reads } = watchOver((tenantId, _id, read) => {
      if (tenantId === 'broken') return new Error('timed out') as unknown as Stored;
      return read < 3 ? { status: 'running' } : { status: 'canceled' };
    });
    const broken = watch.watch({ tenantId: 'broken', sessionId: 'ses_x' }, 1);
    const fine = watch.watch({ tenantId: 'fine', sessionId: 'ses_y' }, 1);
    await aborted(fine.signal);
    expect(broken.signal.aborted).toBe(false);
    expect(reads.filter((r) => r.tenantId === 'broken').length).toBeGreaterThan(0);
    broken.stop();
  });

  it(`reads at most ${WATCH_READ_IDS} sessions at once`, async () => {
    const { watch, reads } = watchOver(() => ({ status: 'running' }));
    const runs = Array.from({ length: WATCH_READ_IDS + 1 }, (_, i) =>
      watch.watch({ tenantId: 'acme', sessionId: `ses_${i}` }, 1),
    );
    await tick(25);
    expect(reads.slice(0, 2).map((r) => r.ids.length)).toEqual([WATCH_READ_IDS, 1]);
    for (const r of runs) r.stop();
  });

  it('goes on for a session an earlier attempt ended, and one not stored', async () => {
    const { watch, reads } = watchOver((_t, id) =>
      id === 'ses_old' ? { status: 'completed', iteration: 1 } : null,
    );
    const revision = watch.watch({ tenantId: 'acme', sessionId: 'ses_old' }, 2);
    const unstored = watch.watch({ tenantId: 'acme', sessionId: 'ses_none' }, 1);
    await tick(45);
    expect(reads.length).toBeGreaterThan(1);
    expect([revision.signal.aborted, unstored.signal.aborted]).toEqual([false, false]);
    revision.stop();
    unstored.stop();
  });
});
