import { Logger } from '@nestjs/common';
import type { PlaybookTrialWriter } from '@reverie/playbooks-data-access';
import { DEFAULT_DREAMER_OPTIONS, type DreamerOptions } from '../dreamer.options';
import type { DreamRunner } from '../pipeline/dream-runner.service';
import { TrialAnnouncementSweep } from '../trials/trial-announcements.sweep';
import { DreamerSweep } from './dreamer-sweep';

const SWEEP_MS = 15_000;
const options: DreamerOptions = { ...DEFAULT_DREAMER_OPTIONS, sweepMs: SWEEP_MS, datasetsDir: '' };

/** A step that records its calls (with the pass's `now`) in `calls`, and does what `run` says. */
function aStep(name: string, calls: string[], run: (now: Date) => Promise<unknown>) {
  return {
    sweepName: name,
    sweep: jest.fn(async (now: Date) => {
      calls.push(`${name}@${now.toISOString()}`);
      return run(now);
    }),
  };
}

function aSweep(dreams: ReturnType<typeof aStep>, trials: ReturnType<typeof aStep>) {
  return new DreamerSweep(
    dreams as unknown as DreamRunner,
    trials as unknown as TrialAnnouncementSweep,
    options,
  );
}

describe('DreamerSweep: one schedule for the dreamer sweep steps', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
    jest.useRealTimers();
  });

  it('calls the dream step, then the trial announcement step, with the same now', async () => {
    const calls: string[] = [];
    const sweep = aSweep(
      aStep('dream', calls, async () => undefined),
      aStep('trial announcement', calls, async () => 2),
    );
    const now = new Date('2026-01-01T00:00:00Z');
    expect(await sweep.sweep(now)).toEqual([
      { step: 'dream', result: undefined },
      { step: 'trial announcement', result: 2 },
    ]);
    expect(calls).toEqual([
      'dream@2026-01-01T00:00:00.000Z',
      'trial announcement@2026-01-01T00:00:00.000Z',
    ]);
  });

  it('a step that throws is logged and the next still runs; the next pass runs both again', async () => {
    const calls: string[] = [];
    const failing = aStep('dream', calls, async () => {
      throw new Error('MongoDB is unavailable');
    });
    const trials = aStep('trial announcement', calls, async () => 1);
    const sweep = aSweep(failing, trials);

    const outcomes = await sweep.sweep(new Date(0));
    expect(outcomes).toEqual([
      { step: 'dream', error: new Error('MongoDB is unavailable') },
      { step: 'trial announcement', result: 1 },
    ]);
    expect(warn).toHaveBeenCalledWith('dream sweep failed: MongoDB is unavailable');

    // The last step failing does not stop the pass from returning, nor the next pass.
    trials.sweep.mockRejectedValueOnce(new Error('Kafka refused'));
    expect(await sweep.sweep(new Date(1))).toEqual([
      { step: 'dream', error: new Error('MongoDB is unavailable') },
      { step: 'trial announcement', error: new Error('Kafka refused') },
    ]);
    expect(warn).toHaveBeenCalledWith('trial announcement sweep failed: Kafka refused');
    expect(await sweep.sweep(new Date(2))).toHaveLength(2);
    expect(failing.sweep).toHaveBeenCalledTimes(3);
  });

  it('does not overlap a pass still running: the pass asked for meanwhile does nothing', async () => {
    const calls: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Its first pass waits (Kafka slow to refuse) until released.
    const slow = aStep('dream', calls, () => held);
    const trials = aStep('trial announcement', calls, async () => 0);
    const sweep = aSweep(slow, trials);

    const first = sweep.sweep(new Date(0));
    expect(await sweep.sweep(new Date(1))).toBeNull();
    release();
    expect(await first).toHaveLength(2);
    expect(calls).toEqual([
      'dream@1970-01-01T00:00:00.000Z',
      'trial announcement@1970-01-01T00:00:00.000Z',
    ]);
    // Once it has ended, the next one runs.
    expect(await sweep.sweep(new Date(2))).toHaveLength(2);
  });

  it('owns one timer at sweepMs from bootstrap to shutdown', async () => {
    jest.useFakeTimers();
    const calls: string[] = [];
    const dreams = aStep('dream', calls, async () => undefined);
    const trials = aStep('trial announcement', calls, async () => 0);
    const sweep = aSweep(dreams, trials);

    sweep.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(SWEEP_MS - 1);
    expect(dreams.sweep).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(dreams.sweep).toHaveBeenCalledTimes(1);
    expect(trials.sweep).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(2 * SWEEP_MS);
    expect(dreams.sweep).toHaveBeenCalledTimes(3);
    expect(trials.sweep).toHaveBeenCalledTimes(3);

    sweep.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(5 * SWEEP_MS);
    expect(dreams.sweep).toHaveBeenCalledTimes(3);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('TrialAnnouncementSweep', () => {
  it('publishes the announcements pending for a sweep period or more', async () => {
    const announcePending = jest.fn(async () => 3);
    const step = new TrialAnnouncementSweep(
      { announcePending } as unknown as PlaybookTrialWriter,
      options,
    );
    expect(await step.sweep(new Date('2026-01-01T00:00:15Z'))).toBe(3);
    expect(announcePending).toHaveBeenCalledWith(new Date('2026-01-01T00:00:00Z'));
  });

  it('lets a failure through to the sweep, which logs it', async () => {
    const step = new TrialAnnouncementSweep(
      {
        announcePending: jest.fn().mockRejectedValue(new Error('down')),
      } as unknown as PlaybookTrialWriter,
      options,
    );
    await expect(step.sweep(new Date())).rejects.toThrow('down');
  });
});
