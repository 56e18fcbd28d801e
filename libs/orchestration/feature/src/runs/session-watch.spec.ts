import type { SessionView } from '@reverie/sessions-data-access/readers';
import { SessionEndedWhileRunning, SessionWatch } from './session-watch';

const ref = { tenantId: 'acme', sessionId: 'ses_1' };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watch reading every 10 ms from `answers` in turn (the last repeats); an Error is thrown. */
function watchOver(answers: (Partial<SessionView> | null | Error)[]) {
  const reads: string[] = [];
  const watch = new SessionWatch(
    {
      session: async (tenantId, sessionId) => {
        reads.push(`${tenantId}/${sessionId}`);
        const answer = answers[Math.min(reads.length, answers.length) - 1];
        if (answer instanceof Error) throw answer;
        return answer as SessionView | null;
      },
    },
    { sessionWatchMs: 10 },
  );
  return { watch, reads };
}

describe('SessionWatch', () => {
  it("fires once the run's session has ended, with the reason, and reads no more", async () => {
    const { watch, reads } = watchOver([
      { status: 'running' },
      new Error('connection reset'),
      { status: 'canceled', endReason: 'changed my mind', iteration: 1 },
    ]);
    const run = watch.watch(ref, 1);
    await new Promise((r) => run.signal.addEventListener('abort', r));
    expect(run.signal.reason).toBeInstanceOf(SessionEndedWhileRunning);
    expect((run.signal.reason as Error).message).toBe(
      'its session ended while it ran (canceled: changed my mind)',
    );
    // A failed read was tried again; after the end, no more reads.
    expect(reads).toEqual(['acme/ses_1', 'acme/ses_1', 'acme/ses_1']);
    await tick(50);
    expect(reads).toHaveLength(3);
  });

  it('stops reading when the run is over', async () => {
    const { watch, reads } = watchOver([{ status: 'running' }]);
    const run = watch.watch(ref, 1);
    await tick(45);
    run.stop();
    const seen = reads.length;
    expect(seen).toBeGreaterThan(0);
    await tick(50);
    expect(reads).toHaveLength(seen);
    expect(run.signal.aborted).toBe(false);
  });
});
