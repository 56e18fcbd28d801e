import { DreamControl, DreamStopped, LOCAL_LEASE } from './dream-control';

const done = <T>(value: T) => ({ value, summary: 'done' });

describe('DreamControl.handBack (the replica is shutting down)', () => {
  it('stops the dream at its next stage boundary', async () => {
    const control = new DreamControl(LOCAL_LEASE, 'drm_1', 'me', 60_000);
    await control.stage('collect', async () => done(1));
    control.handBack();
    const next = control.stage('localise', async () => done(2));
    await expect(next).rejects.toBeInstanceOf(DreamStopped);
    await expect(next).rejects.toMatchObject({
      reason: 'handed_back',
      message: expect.stringContaining('at the collect stage to be handed back'),
    });
    expect(control.stages.map((s) => s.stage)).toEqual(['collect']);
  });

  it('stops a long stage at its next progress heartbeat', async () => {
    const control = new DreamControl(LOCAL_LEASE, 'drm_2', 'me', 60_000);
    let steps = 0;
    const reflect = control.stage('reflect', async (progress) => {
      for (;;) {
        steps++;
        if (steps === 3) control.handBack();
        await progress(steps, 100);
      }
    });
    await expect(reflect).rejects.toMatchObject({ reason: 'handed_back' });
    expect(steps).toBe(3);
  });

  it('starts no stage work when asked while the stage boundary is being written', async () => {
    let control: DreamControl | null = null;
    const lease = {
      heartbeat: async () => {
        control?.handBack(); // the shutdown arrives mid-write
        return { held: true, cancelRequested: false };
      },
    };
    control = new DreamControl(lease, 'drm_16', 'me', 60_000);
    const work = jest.fn(async () => done(1));
    await expect(control.stage('localise', work)).rejects.toMatchObject({
      reason: 'handed_back',
    });
    expect(work).not.toHaveBeenCalled();
  });

  it('never stops a dream that has begun publishing: it runs to its end', async () => {
    const control = new DreamControl(LOCAL_LEASE, 'drm_3', 'me', 60_000);
    const published = await control.stage('publish', async (progress) => {
      control.handBack();
      await progress(1, 2);
      return done('v2');
    });
    expect(published).toBe('v2');
    expect(await control.stage('report', async () => done('report'))).toBe('report');
  });
});

describe("DreamControl runUntil (a scheduled dream's idle window)", () => {
  it('stops the dream inside a stage once the window has closed, never once publishing began', async () => {
    let now = Date.parse('2026-12-05T03:59:00Z');
    const runUntil = new Date('2026-12-05T04:00:00Z');
    const control = new DreamControl(LOCAL_LEASE, 'drm_4', 'me', 60_000, {
      runUntil,
      now: () => now,
    });
    await control.stage('collect', async () => done(1));
    const reflect = control.stage('reflect', async (progress) => {
      now += 30_000;
      await progress(1, 3);
      now += 30_000;
      await progress(2, 3);
      return done(2);
    });
    await expect(reflect).rejects.toMatchObject({
      reason: 'window_closed',
      message: expect.stringContaining(
        'its idle window closed at 2026-12-05T04:00:00.000Z before it ended: stopped after the reflect stage began',
      ),
    });
    const publishing = new DreamControl(LOCAL_LEASE, 'drm_5', 'me', 60_000, {
      runUntil,
      now: () => now - 60_000,
    });
    expect(
      await publishing.stage('publish', async (progress) => {
        now += 120_000;
        await progress(1, 1);
        return done('v2');
      }),
    ).toBe('v2');
  });
});

describe('DreamControl carried (what earlier runs of the dream spent)', () => {
  const usage = (input: number, output: number) => ({
    input_tokens: input,
    output_tokens: output,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  });

  it('goes on counting from it, and stops once it and this run together reach the budget', async () => {
    const control = new DreamControl(LOCAL_LEASE, 'drm_6', 'me', 60_000, {
      tokenBudget: 1_000,
      carried: { usage: usage(600, 100), simulations: 40 },
    });
    await control.stage('collect', async () => done(1));
    await control.stage('reflect', async () => ({
      ...done(2),
      usage: usage(250, 50),
      simulations: 5,
    }));
    expect(control.usage).toEqual(usage(850, 150));
    expect(control.simulations).toBe(45);
    await expect(control.stage('curate', async () => done(3))).rejects.toMatchObject({
      reason: 'budget_exceeded',
      message: expect.stringContaining('spent 1000 tokens of its budget of 1000'),
    });
    // This run's stages record only what this run spent.
    expect(control.stages.map((s) => s.usage)).toEqual([usage(0, 0), usage(250, 50)]);
  });

  it('counts the tokens of runs that lost its lease against the budget, not in its usage', async () => {
    const control = new DreamControl(LOCAL_LEASE, 'drm_14', 'me', 60_000, {
      tokenBudget: 1_000,
      carried: { usage: usage(500, 100), simulations: 0 },
      stranded: 300,
    });
    expect(control.tokensLeft).toBe(100);
    await control.stage('reflect', async () => ({ ...done(1), usage: usage(80, 20) }));
    expect(control.usage).toEqual(usage(580, 120));
    expect(control.tokensLeft).toBe(0);
    await expect(control.stage('curate', async () => done(2))).rejects.toMatchObject({
      reason: 'budget_exceeded',
      message:
        'the dream spent 1000 tokens (300 of them in runs that lost its lease) of its budget of 1000; stopped before the curate stage',
    });
    expect(new DreamControl(LOCAL_LEASE, 'drm_15', 'me', 60_000).tokensLeft).toBeNull();
  });

  it('knows what it spent since its last heartbeat took (what a lost lease leaves unrecorded)', async () => {
    let held = true;
    const lease = { heartbeat: async () => ({ held, cancelRequested: false }) };
    const control = new DreamControl(lease, 'drm_12', 'me', 60_000, {
      carried: { usage: usage(600, 100), simulations: 40 },
    });
    expect(control.unrecorded()).toEqual({ usage: usage(0, 0), simulations: 0 });
    await control.stage('localise', async () => ({ ...done(1), simulations: 4 }));
    await control.stage('reflect', async () => ({ ...done(2), usage: usage(250, 50) }));
    // Reflect's heartbeat wrote localise's 4 simulations; reflect's tokens are not written yet.
    expect(control.unrecorded()).toEqual({ usage: usage(250, 50), simulations: 0 });
    held = false;
    await expect(control.stage('curate', async () => done(3))).rejects.toMatchObject({
      reason: 'lease_lost',
    });
    expect(control.unrecorded()).toEqual({ usage: usage(250, 50), simulations: 0 });
  });
});

describe('DreamControl keep-alive (a stage that waits longer than the lease on one call)', () => {
  /** A lease that records each renewal's time; `held` answers whether the dream is still ours. */
  const aLease = (held: (call: number) => boolean | Error) => {
    const renewedAt: number[] = [];
    const lease = {
      heartbeat: async () => {
        renewedAt.push(Date.now());
        const answer = held(renewedAt.length);
        if (answer instanceof Error) throw answer;
        return { held: answer, cancelRequested: false };
      },
    };
    return { lease, renewedAt };
  };
  /** A stage that waits `ms` without reporting progress (a model call), then reports once. */
  const waitThenReport =
    (ms: number) => async (progress: (d: number, t: number) => Promise<void>) => {
      await new Promise((r) => setTimeout(r, ms));
      await progress(1, 1);
      return done('answered');
    };

  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-12-05T03:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('renews the lease every third of it while the stage waits, and stops renewing when it ends', async () => {
    const { lease, renewedAt } = aLease(() => true);
    const slot = jest.fn(async () => undefined);
    const control = new DreamControl(lease, 'drm_7', 'me', 60_000, { onBeat: slot });
    const reflect = control.stage('reflect', waitThenReport(70_000));
    await jest.advanceTimersByTimeAsync(70_000);
    expect(await reflect).toBe('answered');
    const start = Date.parse('2026-12-05T03:00:00Z');
    // The stage boundary, three renewals (20, 40 and 60 s), then the progress report at 70 s.
    expect(renewedAt.map((t) => (t - start) / 1_000)).toEqual([0, 20, 40, 60, 70]);
    // The global slot is renewed with it.
    expect(slot).toHaveBeenCalledTimes(5);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(renewedAt).toHaveLength(5);
  });

  it('stops the dream at its next heartbeat once a renewal finds it taken by another replica', async () => {
    const { lease, renewedAt } = aLease((call) => call < 3);
    const control = new DreamControl(lease, 'drm_8', 'me', 60_000);
    const reflect = control.stage('reflect', waitThenReport(70_000));
    const stopped = expect(reflect).rejects.toMatchObject({
      reason: 'lease_lost',
      message: 'dream drm_8 is no longer held by this replica',
    });
    await jest.advanceTimersByTimeAsync(70_000);
    await stopped;
    // Renewed at 20 s, found taken at 40 s; no renewal after that, and the progress report at
    // 70 s stops the dream without writing to it.
    expect(renewedAt).toHaveLength(3);
  });

  it('stops renewing once the dream is to be handed back, unless it has begun publishing', async () => {
    const { lease, renewedAt } = aLease(() => true);
    const control = new DreamControl(lease, 'drm_10', 'me', 60_000);
    const reflect = control.stage('reflect', waitThenReport(70_000));
    const stopped = expect(reflect).rejects.toMatchObject({ reason: 'handed_back' });
    await jest.advanceTimersByTimeAsync(30_000);
    control.handBack();
    await jest.advanceTimersByTimeAsync(40_000);
    await stopped;
    // The stage boundary and the renewal at 20 s; none at 40 or 60 s.
    expect(renewedAt).toHaveLength(2);

    const renewals = aLease(() => true);
    const publishing = new DreamControl(renewals.lease, 'drm_11', 'me', 60_000);
    const publish = publishing.stage('publish', async () => {
      publishing.handBack();
      await new Promise((r) => setTimeout(r, 70_000));
      return done('v2');
    });
    await jest.advanceTimersByTimeAsync(70_000);
    expect(await publish).toBe('v2');
    expect(renewals.renewedAt).toHaveLength(4);
  });

  it('ends a stage only once a renewal being written has landed (the next heartbeat writes after it)', async () => {
    const events: string[] = [];
    const lease = {
      heartbeat: async (_id: string, _owner: string, _ms: number, patch?: { stage?: string }) => {
        const which = patch?.stage ?? 'renewal';
        if (which === 'renewal') await new Promise((r) => setTimeout(r, 5_000));
        events.push(`${which} written`);
        return { held: true, cancelRequested: false };
      },
    };
    const control = new DreamControl(lease, 'drm_13', 'me', 60_000);
    const reflect = control.stage('reflect', async () => {
      await new Promise((r) => setTimeout(r, 21_000));
      return { ...done('r'), usage: { input_tokens: 5 } };
    });
    const curate = reflect.then(() => control.stage('curate', async () => done('c')));
    await jest.advanceTimersByTimeAsync(30_000);
    expect(await curate).toBe('c');
    // The renewal began at 20 s and landed at 25 s, after reflect's work ended at 21 s.
    expect(events).toEqual(['reflect written', 'renewal written', 'curate written']);
  });

  it('tries again at the next renewal when the store does not answer one', async () => {
    const { lease, renewedAt } = aLease((call) => (call === 2 ? new Error('store down') : true));
    const control = new DreamControl(lease, 'drm_9', 'me', 60_000);
    const reflect = control.stage('reflect', waitThenReport(50_000));
    await jest.advanceTimersByTimeAsync(50_000);
    expect(await reflect).toBe('answered');
    expect(renewedAt).toHaveLength(4);
  });
});

describe("DreamControl stopping part-way through a stage (the stage's signal)", () => {
  const start = Date.parse('2026-12-05T03:00:00Z');
  /** A lease that records each write; `answer` says whether it is held and a cancel asked. */
  const aLease = (answer: (call: number) => { held: boolean; cancelRequested: boolean }) => {
    const writtenAt: number[] = [];
    const lease = {
      heartbeat: async () => {
        writtenAt.push((Date.now() - start) / 1_000);
        return answer(writtenAt.length);
      },
    };
    return { lease, writtenAt };
  };
  /** A model call: answers after `ms`, or fails as an aborted call when the signal fires first. */
  const call = (ms: number, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('answered'), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('the call was aborted by its caller'));
      });
    });
  /** A stage that waits on one call of `ms`, reporting no progress. */
  const waitingOn = (ms: number) => async (_progress: unknown, signal: AbortSignal) => ({
    value: await call(ms, signal),
    summary: 'done',
  });

  beforeEach(() => jest.useFakeTimers({ now: start }));
  afterEach(() => jest.useRealTimers());

  it.each([
    ['canceled', 'canceled', 'dream drm_20 was canceled', false, 20],
    [
      'taken by another replica',
      'lease_lost',
      'dream drm_20 is no longer held by this replica',
      true,
      40,
    ],
  ] as const)(
    'aborts the call when a renewal finds the dream %s, and stops renewing',
    async (_what, reason, message, taken, at) => {
      // The renewal at `at` s finds it (the second: canceled; the third: taken).
      const { lease, writtenAt } = aLease((n) => ({
        held: !(taken && n >= 3),
        cancelRequested: !taken && n >= 2,
      }));
      const control = new DreamControl(lease, 'drm_20', 'me', 60_000);
      const reflect = control.stage('reflect', waitingOn(100_000));
      const stopped = expect(reflect).rejects.toMatchObject({ reason, message });
      await jest.advanceTimersByTimeAsync(at * 1_000);
      await stopped;
      expect(control.stoppedInStage).toBe(true);
      await jest.advanceTimersByTimeAsync(100_000);
      // Nothing written after the renewal that found it.
      expect(writtenAt.at(-1)).toBe(at);
    },
  );

  it('aborts the call at once when the replica hands the dream back, and when its window closes', async () => {
    const { lease, writtenAt } = aLease(() => ({ held: true, cancelRequested: false }));
    const control = new DreamControl(lease, 'drm_22', 'me', 60_000);
    const reflect = control.stage('reflect', waitingOn(100_000));
    const stopped = expect(reflect).rejects.toMatchObject({ reason: 'handed_back' });
    await jest.advanceTimersByTimeAsync(5_000);
    control.handBack();
    await stopped;
    expect(writtenAt).toEqual([0]);

    const windowed = new DreamControl(lease, 'drm_23', 'me', 60_000, {
      runUntil: new Date(start + 30_000),
    });
    const late = windowed.stage('reflect', waitingOn(100_000));
    const closed = expect(late).rejects.toMatchObject({ reason: 'window_closed' });
    // The renewal at 40 s (20 s after this stage began) finds the window closed.
    await jest.advanceTimersByTimeAsync(40_000);
    await closed;
  });

  it("gives a call the hand-back's grace to answer, and aborts it when the grace is over", async () => {
    const { lease } = aLease(() => ({ held: true, cancelRequested: false }));
    // Answers within the grace: the stage ends with it, and the dream stops at the next stage.
    const quick = new DreamControl(lease, 'drm_27', 'me', 60_000);
    const answered = quick.stage('reflect', waitingOn(8_000));
    await jest.advanceTimersByTimeAsync(1_000);
    quick.handBack(15_000);
    await jest.advanceTimersByTimeAsync(7_000);
    expect(await answered).toBe('answered');
    await expect(quick.stage('curate', async () => done(1))).rejects.toMatchObject({
      reason: 'handed_back',
    });
    // Still waiting when the grace is over: aborted then, not when it would have answered.
    const slow = new DreamControl(lease, 'drm_28', 'me', 60_000);
    const reflect = slow.stage('reflect', waitingOn(100_000));
    const stopped = expect(reflect).rejects.toMatchObject({ reason: 'handed_back' });
    await jest.advanceTimersByTimeAsync(1_000);
    slow.handBack(15_000);
    await jest.advanceTimersByTimeAsync(14_000);
    expect(slow.stoppedInStage).toBe(true);
    await jest.advanceTimersByTimeAsync(1_000);
    await stopped;
  });

  it('honours a cancel at a progress heartbeat inside a stage, but not once publishing began', async () => {
    // Asked after the stage began (its boundary would see it otherwise).
    let asked = false;
    const lease = { heartbeat: async () => ({ held: true, cancelRequested: asked }) };
    const search = new DreamControl(lease, 'drm_24', 'me', 60_000);
    let steps = 0;
    const reflect = search.stage('reflect', async (progress) => {
      for (;;) {
        steps++;
        if (steps === 3) asked = true;
        await jest.advanceTimersByTimeAsync(1_500);
        await progress(steps, 100);
      }
    });
    await expect(reflect).rejects.toMatchObject({ reason: 'canceled' });
    expect(steps).toBe(3);
    expect(search.stoppedInStage).toBe(true);

    asked = false;
    const publishing = new DreamControl(lease, 'drm_25', 'me', 60_000);
    const published = await publishing.stage('publish', async (progress) => {
      asked = true;
      await jest.advanceTimersByTimeAsync(1_500);
      await progress(1, 2);
      return done('v2');
    });
    expect(published).toBe('v2');
  });

  it("counts what a stage spent when it caught its aborted call's error, and still stops", async () => {
    const { lease } = aLease((n) => ({ held: true, cancelRequested: n >= 2 }));
    const control = new DreamControl(lease, 'drm_26', 'me', 60_000);
    const reflect = control.stage('reflect', async (_progress, signal) => {
      const answer = await call(100_000, signal).catch(() => 'failed');
      return { value: answer, summary: answer, usage: { input_tokens: 30 }, simulations: 7 };
    });
    const stopped = expect(reflect).rejects.toMatchObject({ reason: 'canceled' });
    await jest.advanceTimersByTimeAsync(20_000);
    await stopped;
    expect(control.usage.input_tokens).toBe(30);
    expect(control.simulations).toBe(7);
    expect(control.stages.map((s) => s.summary)).toEqual(['failed']);
  });
});
