import { Logger } from '@nestjs/common';
import type {
  DreamQueue,
  DreamQueueRepository,
  DreamRecord,
  DreamRepository,
  DreamSlotRepository,
  QueuedDream,
} from '@reverie/dreaming-data-access';
import { ZERO_USAGE } from '@reverie/dreaming-domain';
import { expectEventually } from '@reverie/testing';
import type { EventPublisher } from '@reverie/kafka';
import type { ReverieMetrics } from '@reverie/telemetry';
import { DEFAULT_DREAMER_OPTIONS, SYSTEM_CLOCK, type DreamerOptions } from '../dreamer.options';
import { DreamStopped, type StageControl } from './dream-control';
import type { DreamPipeline } from './dream-pipeline';
import { DreamRunner } from './dream-runner.service';

const queued = (tenantId: string, n: number): QueuedDream => ({
  dreamId: `drm_${tenantId}_${n}`,
  tenantId,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
  lockId: `${tenantId}/agt_${n}`,
});

/**
 * A runner over fakes: `waiting` is what every read of the queue answers; dreams it starts run
 * until `stopAll` (they then stop as if their lease was lost, writing nothing).
 */
function aRunner(waiting: QueuedDream[], options: Partial<DreamerOptions> = {}) {
  const stops: (() => void)[] = [];
  const queue = {
    snapshot: jest.fn(async (): Promise<DreamQueue> => ({
      waiting: [...waiting],
      running: new Map(),
      lastTurn: new Map(),
    })),
    recordTurn: jest.fn(async () => undefined),
    releaseIfStale: jest.fn(async () => false),
    restoreLostLocks: jest.fn(async () => []),
  };
  let slot = 0;
  const slots = {
    acquire: jest.fn(async (): Promise<string | null> => `slot-${slot++}`),
    release: jest.fn(async () => undefined),
    renew: jest.fn(async () => true),
  };
  const dreams = {
    claim: jest.fn(async (dreamId: string, owner: string) => {
      const d = waiting.find((w) => w.dreamId === dreamId);
      return {
        _id: dreamId,
        tenantId: d?.tenantId ?? 't',
        agentId: 'agt',
        attempts: 1,
        tokenBudget: null,
        input: { type: 'sessions', sessionIds: [] },
        leaseOwner: owner,
      } as unknown as DreamRecord;
    }),
    expired: jest.fn(async () => []),
    unannounced: jest.fn(async () => []),
    heartbeat: jest.fn(async () => ({ held: true, cancelRequested: false })),
    handBack: jest.fn(async () => true),
    recordStranded: jest.fn(async () => undefined),
  };
  const pipeline = {
    run: jest.fn(
      (_dream: DreamRecord, _control: StageControl): Promise<unknown> =>
        new Promise((_, reject) =>
          stops.push(() => reject(new DreamStopped('lease_lost', 'stopped by the test'))),
        ),
    ),
  };
  const runner = new DreamRunner(
    dreams as unknown as DreamRepository,
    slots as unknown as DreamSlotRepository,
    pipeline as unknown as DreamPipeline,
    { publish: jest.fn() } as unknown as EventPublisher,
    { ...DEFAULT_DREAMER_OPTIONS, datasetsDir: '', ...options },
    { dreamEnded: jest.fn() } as unknown as ReverieMetrics,
    queue as unknown as DreamQueueRepository,
    SYSTEM_CLOCK,
  );
  const stopAll = async () => {
    runner.onModuleDestroy();
    stops.splice(0).forEach((stop) => stop());
    await runner.idle();
  };
  return { runner, queue, slots, dreams, pipeline, stopAll };
}

describe('DreamRunner', () => {
  beforeEach(() => {
    for (const level of ['log', 'warn', 'error'] as const)
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('starts no dream once the service began closing while the slot was being taken: the slot is given back', async () => {
    const { runner, slots, dreams, stopAll } = aRunner([queued('a', 1)]);
    slots.acquire.mockImplementationOnce(async () => {
      runner.onModuleDestroy(); // the shutdown arrives mid-acquire
      return 'slot-0';
    });
    expect(await runner.fill()).toEqual(new Set());
    expect(dreams.claim).not.toHaveBeenCalled();
    expect(slots.release).toHaveBeenCalledWith({
      slotId: 'slot-0',
      dreamId: 'drm_a_1',
      owner: runner.owner,
    });
    expect(runner.active).toBe(0);
    await stopAll();
  });

  it('reads the queue once for the several claims of one fill, handing the slots out fairly from that read', async () => {
    // Tenant a queued two dreams before b queued one; three slots on this replica.
    const { runner, queue, stopAll } = aRunner([queued('a', 1), queued('a', 2), queued('b', 3)], {
      concurrency: 3,
      globalConcurrency: 3,
    });
    const order: string[] = [];
    jest
      .spyOn(runner as unknown as { start(id: string): Promise<string> }, 'start')
      .mockImplementation(async (id: string) => {
        order.push(id);
        // Run nothing: count it as started.
        (runner as unknown as { running: Map<string, Promise<void>> }).running.set(
          id,
          Promise.resolve(),
        );
        return 'started';
      });
    expect(await runner.fill()).toEqual(new Set(['drm_a_1', 'drm_a_2', 'drm_b_3']));
    expect(queue.snapshot).toHaveBeenCalledTimes(1);
    // a's first, then b (a runs one now), then a's second: the read was kept up to date.
    expect(order).toEqual(['drm_a_1', 'drm_b_3', 'drm_a_2']);
    (runner as unknown as { running: Map<string, Promise<void>> }).running.clear();
    await stopAll();
  });

  it("the sweep gives lost agent locks back before it fills, so a stranded dream is in that fill's queue", async () => {
    const { runner, queue, stopAll } = aRunner([]);
    const calls: string[] = [];
    queue.restoreLostLocks.mockImplementation(async () => {
      calls.push('restore');
      return [];
    });
    queue.snapshot.mockImplementation(async () => {
      calls.push('snapshot');
      return { waiting: [], running: new Map(), lastTurn: new Map() };
    });
    await runner.sweep(new Date());
    expect(calls).toEqual(['restore', 'snapshot']);
    expect(queue.restoreLostLocks).toHaveBeenCalledTimes(1);
    await stopAll();
  });

  it('hands a running dream back at shutdown: stopped at its next heartbeat, its slot given back, with what all its runs spent', async () => {
    const { runner, slots, dreams, pipeline } = aRunner([queued('a', 1)]);
    const tokens = (input_tokens: number) => ({ ...ZERO_USAGE, input_tokens });
    // An earlier run of it spent 100 tokens and 3 simulations (stored on the dream).
    const claim = dreams.claim.getMockImplementation() as typeof dreams.claim;
    dreams.claim.mockImplementationOnce(async (id, owner) => ({
      ...(await claim(id, owner)),
      usage: tokens(100),
      simulations: 3,
    }));
    let notes: string[] = [];
    let reflecting = false;
    pipeline.run.mockImplementationOnce(async (_dream, control) => {
      notes = control.notes;
      await control.stage('localise', async () => ({
        value: null,
        summary: 'done',
        usage: tokens(300),
        simulations: 7,
      }));
      return control.stage('reflect', async (progress) => {
        reflecting = true;
        for (;;) {
          await progress(1, 2);
          await new Promise((r) => setTimeout(r, 5));
        }
      });
    });
    expect(await runner.fill()).toEqual(new Set(['drm_a_1']));
    // The shutdown comes while reflect runs.
    await expectEventually(() => expect(reflecting).toBe(true), { intervalMs: 5 });
    await runner.onModuleDestroy();
    expect(dreams.handBack).toHaveBeenCalledWith('drm_a_1', runner.owner, {
      usage: tokens(400),
      simulations: 10,
    });
    expect(notes[0]).toMatch(
      /^resumed: earlier runs of this dream spent 100 token\(s\) and 3 simulation/,
    );
    expect(runner.active).toBe(0);
    expect(slots.release).toHaveBeenCalledWith(expect.objectContaining({ dreamId: 'drm_a_1' }));
    // Closing, it claims nothing more.
    expect(await runner.fill()).toEqual(new Set());
  });

  it('adds what a run spent after its last heartbeat to the dream when another replica took it over', async () => {
    const { runner, dreams, pipeline, stopAll } = aRunner([queued('a', 1)]);
    const tokens = (input_tokens: number) => ({ ...ZERO_USAGE, input_tokens });
    // The reflect stage's model answered (250 tokens); the heartbeat that would have recorded it,
    // at the next stage, finds the dream taken.
    pipeline.run.mockImplementationOnce(async (_dream, control) => {
      await control.stage('localise', async () => ({
        value: null,
        summary: 'done',
        simulations: 4,
      }));
      await control.stage('reflect', async () => ({
        value: null,
        summary: 'done',
        usage: tokens(250),
        simulations: 6,
      }));
      dreams.heartbeat.mockResolvedValue({ held: false, cancelRequested: false });
      return control.stage('curate', async () => ({ value: null, summary: 'done' }));
    });
    expect(await runner.fill()).toEqual(new Set(['drm_a_1']));
    await expectEventually(() => expect(dreams.recordStranded).toHaveBeenCalledTimes(1));
    // Localise's 4 simulations were written at reflect's heartbeat; reflect's spending was not.
    expect(dreams.recordStranded).toHaveBeenCalledWith('drm_a_1', {
      usage: tokens(250),
      simulations: 6,
    });
    expect(dreams.handBack).not.toHaveBeenCalled();
    // The queue the fake answers still lists it: the fill that follows claims it again.
    dreams.heartbeat.mockResolvedValue({ held: true, cancelRequested: false });
    await stopAll();
  });

  it('resumes a dream counting the tokens of runs that lost its lease against its budget', async () => {
    const { runner, dreams, pipeline, stopAll } = aRunner([queued('a', 1)]);
    const tokens = (input_tokens: number) => ({ ...ZERO_USAGE, input_tokens });
    const claim = dreams.claim.getMockImplementation()!;
    dreams.claim.mockImplementationOnce(async (id: string, owner: string) => ({
      ...(await claim(id, owner)),
      tokenBudget: 1_000,
      usage: tokens(500),
      strandedUsage: tokens(300),
    }));
    let seen: { left: number | null; notes: string[] } | null = null;
    pipeline.run.mockImplementationOnce(async (_dream, control) => {
      seen = { left: control.tokensLeft, notes: [...control.notes] };
      throw new DreamStopped('lease_lost', 'stopped by the test');
    });
    expect(await runner.fill()).toEqual(new Set(['drm_a_1']));
    await expectEventually(() => expect(seen).not.toBeNull());
    expect(seen).toEqual({
      left: 200,
      notes: [
        'resumed: earlier runs of this dream spent 500 token(s) and 0 simulation(s), counted in its usage and against its budget',
        "300 token(s) spent by runs that lost this dream's lease count against its budget too (the dream's usage over the API includes them; this report's does not)",
      ],
    });
    await stopAll();
  });

  it('waits at most handBackWaitMs for a dream that reaches no heartbeat, which keeps its lease', async () => {
    const { runner, dreams, stopAll } = aRunner([queued('a', 1)], { handBackWaitMs: 50 });
    expect(await runner.fill()).toEqual(new Set(['drm_a_1']));
    await runner.onModuleDestroy();
    expect(runner.active).toBe(1);
    expect(dreams.handBack).not.toHaveBeenCalled();
    expect(Logger.prototype.warn).toHaveBeenCalledWith(
      expect.stringContaining('1 dream(s) still running after 50 ms: they keep their lease'),
    );
    await stopAll();
  });
});
