import { getModelToken } from '@nestjs/mongoose';
import {
  DreamLock,
  DreamQueueRepository,
  DreamSlotRepository,
  type SlotHolder,
} from '@reverie/dreaming-data-access';
import { DreamerSweep } from '@reverie/dreaming-feature';
import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
import type { Model } from 'mongoose';
// The real gateway (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
import { aDream, startDreamer, type RunningDreamer } from './dreamer.harness';

// Dream bodies as the API returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * One tenant's queue of dreams does not hold off another tenant's: with one slot, tenant B's
 * dreams, queued through the API before tenant A's one, do not all run before it. Real gateway,
 * Kafka (`dream.requested`) and MongoDB-wire server.
 */
describe('dreams are handed slots fairly across tenants', () => {
  let gateway: RunningGateway;
  let dreamer: RunningDreamer;
  let apiA: ApiClient;
  let apiB: ApiClient;
  const tenantA = uniqueName('fair_a');
  const tenantB = uniqueName('fair_b');

  beforeAll(async () => {
    gateway = await startGateway();
    dreamer = await startDreamer(gateway.config.mongo.db, {
      // One dream at a time, on this replica and across replicas.
      DREAM_CONCURRENCY: '1',
      DREAM_GLOBAL_CONCURRENCY: '1',
      // Sweeps are driven by the test, not by a timer.
      DREAM_SWEEP_MS: '3600000',
      DREAM_SCHEDULE_TICK_MS: '0',
    });
    apiA = await gateway.tenant(tenantA);
    apiB = await gateway.tenant(tenantB);
  }, 120_000);

  afterAll(async () => {
    await dreamer?.close();
    await gateway?.close();
  });

  const newAgent = async (api: ApiClient) => {
    const res = await api.post('/v1/agents', anAgent());
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** `POST /v1/dreams` for an agent with nothing to review (such a dream ends in milliseconds). */
  const askForDream = async (api: ApiClient, agentId: string) => {
    const res = await api.post('/v1/dreams', { agent_id: agentId });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
    // Distinct creation times, so "queued before" is unambiguous.
    await new Promise((r) => setTimeout(r, 5));
    return res.body.id as string;
  };
  const shown = async (api: ApiClient, id: string): Promise<Json> =>
    (await api.get(`/v1/dreams/${id}`)).body;

  it("tenant A's dream, queued after several of tenant B's, runs next when B's running dream ends, not after all of B's", async () => {
    const slots = dreamer.app.get(DreamSlotRepository);
    const queue = dreamer.app.get(DreamQueueRepository);
    const [bFirstAgent, ...bAgents] = [
      await newAgent(apiB),
      await newAgent(apiB),
      await newAgent(apiB),
      await newAgent(apiB),
    ];
    const aAgent = await newAgent(apiA);

    // B's first dream runs on another replica and holds the only slot (as long as B's budgets
    // allow), taken the way a dreamer takes one: slot, claim, turn.
    const otherReplica = 'other-replica';
    const bFirst = uniqueName('drm_b_first');
    expect(
      (
        await dreamer.dreams.create(
          aDream({ _id: bFirst, tenantId: tenantB, agentId: bFirstAgent }),
        )
      ).created,
    ).toBe(true);
    const slotId = await slots.acquire(bFirst, otherReplica, 1, 600_000);
    expect(slotId).not.toBeNull();
    const holder: SlotHolder = { slotId: String(slotId), dreamId: bFirst, owner: otherReplica };
    expect(await dreamer.dreams.claim(bFirst, otherReplica, 600_000)).not.toBeNull();
    await queue.recordTurn(tenantB);

    try {
      // B queues a dream for each of its other agents, then A queues one: all through the API,
      // each announced on Kafka; no slot is free, so every one stays pending.
      const bQueued = [];
      for (const agentId of bAgents) bQueued.push(await askForDream(apiB, agentId));
      const aQueued = await askForDream(apiA, aAgent);
      const snapshot = await queue.snapshot();
      expect(snapshot.running).toEqual(new Map([[tenantB, 1]]));
      expect(snapshot.waiting.map((d) => d.dreamId).sort()).toEqual([...bQueued, aQueued].sort());
      // The dreamer consumed the requests and could start none of them.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(dreamer.runner.active).toBe(0);
      for (const id of bQueued) expect((await shown(apiB, id)).status).toBe('pending');
      expect((await shown(apiA, aQueued)).status).toBe('pending');

      // B's first dream ends on the other replica and its slot is free; this dreamer's sweep
      // (as it would on its timer) hands it out, and each dream that ends hands it on.
      expect(await dreamer.dreams.finish(bFirst, otherReplica, { status: 'completed' })).toBe(true);
      await slots.release(holder);
      await dreamer.app.get(DreamerSweep).sweep();
      await dreamer.runner.idle();

      const ended = [
        ...(await Promise.all(bQueued.map((id) => shown(apiB, id)))),
        await shown(apiA, aQueued),
      ];
      for (const d of ended) expect(d).toMatchObject({ status: 'completed', attempts: 1 });
      const order = ended
        .sort((x, y) => Date.parse(x.started_at) - Date.parse(y.started_at))
        .map((d) => d.id);
      // A's dream ran second (right after B's first), then B's others in the order B queued them.
      expect(order).toEqual([aQueued, ...bQueued]);
      // One dream at a time: each started after the previous one ended.
      for (let i = 1; i < ended.length; i++)
        expect(Date.parse(ended[i].started_at)).toBeGreaterThanOrEqual(
          Date.parse(ended[i - 1].ended_at),
        );
    } finally {
      await slots.release(holder);
    }
  }, 120_000);

  it('a pending dream that lost its agent lock (the only way a fill finds it) is found by the sweep and runs', async () => {
    const locks = dreamer.app.get<Model<DreamLock>>(getModelToken(DreamLock.name));
    const agentId = await newAgent(apiA);
    const id = uniqueName('drm_stranded');
    // Asked for a minute ago (stored as the API stores it; no request reached a dreamer), and its
    // lock lost since, whatever the race: the store as such a race leaves it.
    const asked = new Date(Date.now() - 60_000);
    expect(
      (await dreamer.dreams.create(aDream({ _id: id, tenantId: tenantA, agentId }), asked)).created,
    ).toBe(true);
    expect((await locks.deleteOne({ dreamId: id }).exec()).deletedCount).toBe(1);

    // A free slot, yet no fill sees the dream.
    await dreamer.runner.fill();
    await dreamer.runner.idle();
    expect((await shown(apiA, id)).status).toBe('pending');

    // The sweep (as it would on its timer) gives its lock back and hands it the slot.
    await dreamer.app.get(DreamerSweep).sweep();
    await dreamer.runner.idle();
    expect(await shown(apiA, id)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await locks.findOne({ dreamId: id }).lean().exec()).toBeNull();
  }, 60_000);

  it('a dream asked for while the slot is free starts at once, through Kafka', async () => {
    const agentId = await newAgent(apiA);
    const res = await apiA.post('/v1/dreams', { agent_id: agentId });
    expect(res.status).toBe(201);
    await expectEventually(
      async () => {
        const d = await shown(apiA, res.body.id);
        if (d.status !== 'completed') throw new Error(`not completed yet: ${d.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }, 60_000);
});
