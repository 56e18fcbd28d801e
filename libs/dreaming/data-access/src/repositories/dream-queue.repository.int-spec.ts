import { getModelToken } from '@nestjs/mongoose';
import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import type { Model } from 'mongoose';
import { DreamingDataAccessModule } from '../dreaming-data-access.module';
import { Dream, DreamLock } from '../schemas/dream.schema';
import { DreamQueueRepository, type QueuedDream } from './dream-queue.repository';
import { DreamSlotRepository } from './dream-slot.repository';
import { DreamCheckpointRepository } from './dream-checkpoint.repository';
import { DreamRepository, PENDING_GRACE_MS, type NewDream } from './dream.repository';

/**
 * The waiting dreams (`dream_locks`) against the real MongoDB-wire server: a pending dream never
 * ends up without its agent's lock (the only way a dreamer finds it), whatever the interleaving of
 * a create and another replica's stale-lock check, and the sweep's safety net gives a lost lock
 * back.
 */
describe('DreamQueueRepository', () => {
  const db = uniqueName('test_dream_queue');
  let context: DataAccessContext;
  let dreams: DreamRepository;
  let queue: DreamQueueRepository;
  let slots: DreamSlotRepository;
  let dreamModel: Model<Dream>;
  let lockModel: Model<DreamLock>;
  let n = 0;

  beforeAll(async () => {
    context = await startDataAccess(DreamingDataAccessModule, db);
    dreams = context.app.get(DreamRepository);
    queue = context.app.get(DreamQueueRepository);
    slots = context.app.get(DreamSlotRepository);
    dreamModel = context.app.get<Model<Dream>>(getModelToken(Dream.name));
    lockModel = context.app.get<Model<DreamLock>>(getModelToken(DreamLock.name));
  });
  afterAll(() => context?.close());
  afterEach(() => jest.restoreAllMocks());

  /** A new agent's dream, as the API or the scheduler asks for it. */
  const aDream = (tenantId = uniqueName('tnt')): NewDream => {
    n++;
    return {
      _id: uniqueName(`drm_q${n}`),
      tenantId,
      agentId: `agt_q${n}`,
      input: { type: 'since_last_dream', limit: 10 },
      instructions: '',
      model: { provider: 'builtin' },
      publish: 'apply',
      trigger: 'schedule',
    };
  };
  const lockOf = (d: Pick<NewDream, 'tenantId' | 'agentId'>) =>
    lockModel.findById(`${d.tenantId}/${d.agentId}`).lean<DreamLock>().exec();
  const waitingEntry = async (dreamId: string): Promise<QueuedDream> => {
    const entry = (await queue.snapshot()).waiting.find((w) => w.dreamId === dreamId);
    if (!entry) throw new Error(`${dreamId} is not waiting`);
    return entry;
  };
  const ago = (ms: number) => new Date(Date.now() - ms);

  it("keeps the lock of a create in flight, even when the scheduler's tick began longer ago than the grace", async () => {
    const input = aDream();
    // The tick's `now`: a later agent of a long tick is created well past it.
    const tickStart = ago(2 * PENDING_GRACE_MS);
    // Hold the create between its two writes (the lock is written, the dream not yet).
    let storeDream!: () => void;
    const held = new Promise<void>((resolve) => (storeDream = resolve));
    const insert = dreamModel.create.bind(dreamModel);
    jest.spyOn(dreamModel, 'create').mockImplementationOnce((async (doc: unknown) => {
      await held;
      return insert(doc as Dream);
    }) as unknown as typeof dreamModel.create);
    const creating = dreams.create(input, tickStart);
    await expectSoon(async () => expect(await lockOf(input)).not.toBeNull());

    // Another replica's fill sees the lock without its dream and checks it: a create in flight.
    const lock = await lockOf(input);
    expect(Date.now() - new Date(lock?.createdAt as Date).getTime()).toBeLessThan(10_000);
    expect(await queue.releaseIfStale(await waitingEntry(input._id))).toBe(false);

    storeDream();
    const created = await creating;
    expect(created.created).toBe(true);
    if (created.created) expect(created.dream.createdAt).toEqual(tickStart);
    expect((await lockOf(input))?.dreamId).toBe(input._id);
  });

  it('removes a lock whose dream was never stored once the grace has passed since its write', async () => {
    const input = aDream();
    await lockModel.create({
      _id: `${input.tenantId}/${input.agentId}`,
      tenantId: input.tenantId,
      dreamId: input._id,
      createdAt: ago(PENDING_GRACE_MS + 5_000),
    });
    expect(await queue.releaseIfStale(await waitingEntry(input._id))).toBe(true);
    expect(await lockOf(input)).toBeNull();
  });

  it('removes the lock of an ended dream whose replica died before releasing it, and its checkpoint', async () => {
    const input = aDream();
    expect((await dreams.create(input)).created).toBe(true);
    const checkpoints = context.app.get(DreamCheckpointRepository);
    const kept = {
      key: 'k',
      sessionIds: [],
      stages: [],
      localisations: [],
      drafts: [],
      proposals: [],
      notes: [],
    };
    expect(await checkpoints.save(input.tenantId, input._id, kept)).toBe(true);
    await dreamModel.updateOne({ _id: input._id }, { $set: { status: 'failed' } }).exec();
    expect(await queue.releaseIfStale(await waitingEntry(input._id))).toBe(true);
    expect(await lockOf(input)).toBeNull();
    expect(await checkpoints.load(input.tenantId, input._id)).toBeNull();
  });

  it('puts the lock back when the dream was stored between the stale check and the removal', async () => {
    const input = aDream();
    // A create that stalled past the grace between writing the lock and storing its dream.
    await lockModel.create({
      _id: `${input.tenantId}/${input.agentId}`,
      tenantId: input.tenantId,
      dreamId: input._id,
      createdAt: ago(PENDING_GRACE_MS + 5_000),
    });
    const entry = await waitingEntry(input._id);
    const remove = lockModel.deleteOne.bind(lockModel);
    jest.spyOn(lockModel, 'deleteOne').mockImplementationOnce(((filter: object) => {
      const query = remove(filter);
      const exec = query.exec.bind(query);
      // The stalled create stores its dream right then.
      query.exec = async () => {
        await dreamModel.create({
          ...input,
          status: 'pending',
          usage: {},
          leaseOwner: null,
          leaseUntil: new Date(),
          createdAt: new Date(),
          updatedAt: new Date(),
        });
        return exec();
      };
      return query;
    }) as unknown as typeof lockModel.deleteOne);
    expect(await queue.releaseIfStale(entry)).toBe(false);
    expect((await lockOf(input))?.dreamId).toBe(input._id);
  });

  it('puts its lock back when another replica removed it while the dream was being stored', async () => {
    const input = aDream();
    const insert = dreamModel.create.bind(dreamModel);
    jest.spyOn(dreamModel, 'create').mockImplementationOnce((async (doc: unknown) => {
      await lockModel.deleteOne({ _id: `${input.tenantId}/${input.agentId}` }).exec();
      return insert(doc as Dream);
    }) as unknown as typeof dreamModel.create);
    expect((await dreams.create(input)).created).toBe(true);
    expect((await lockOf(input))?.dreamId).toBe(input._id);
  });

  it('withdraws its dream when, meanwhile, another dream of the agent took the lock: one unfinished dream per agent', async () => {
    const input = aDream();
    const other = { ...input, _id: uniqueName('drm_other') };
    const insert = dreamModel.create.bind(dreamModel);
    jest.spyOn(dreamModel, 'create').mockImplementationOnce((async (doc: unknown) => {
      // Judged stale elsewhere, and the agent's next dream was created in full meanwhile.
      await lockModel.deleteOne({ _id: `${input.tenantId}/${input.agentId}` }).exec();
      expect((await dreams.create(other)).created).toBe(true);
      return insert(doc as Dream);
    }) as unknown as typeof dreamModel.create);
    const result = await dreams.create(input);
    expect(result).toMatchObject({ created: false, running: { _id: other._id } });
    expect(await dreams.findById(input.tenantId, input._id)).toBeNull();
    expect((await lockOf(input))?.dreamId).toBe(other._id);
  });

  it('the safety net gives a lost lock back to a pending dream past its grace, and to no one else', async () => {
    const tenantId = uniqueName('tnt_lost');
    const lost = aDream(tenantId);
    const young = aDream(tenantId);
    const locked = aDream(tenantId);
    const ended = aDream(tenantId);
    const behind = aDream(tenantId);
    const old = ago(2 * PENDING_GRACE_MS);
    for (const d of [lost, locked, ended, behind])
      expect((await dreams.create(d, old)).created).toBe(true);
    expect((await dreams.create(young)).created).toBe(true);
    // Their locks are lost (whatever the race); `locked` keeps its own.
    for (const d of [lost, young, ended, behind])
      await lockModel.deleteOne({ dreamId: d._id }).exec();
    await dreamModel.updateOne({ _id: ended._id }, { $set: { status: 'completed' } }).exec();
    // The agent of `behind` has another unfinished dream now, holding its lock.
    const next = { ...behind, _id: uniqueName('drm_next') };
    expect((await dreams.create(next)).created).toBe(true);

    const before = (await queue.snapshot()).waiting.map((w) => w.dreamId);
    expect(before).not.toContain(lost._id);

    const restored = await queue.restoreLostLocks();
    expect(restored).toContain(lost._id);
    for (const d of [young, locked, ended, behind]) expect(restored).not.toContain(d._id);
    expect((await lockOf(lost))?.dreamId).toBe(lost._id);
    expect((await lockOf(behind))?.dreamId).toBe(next._id);
    const entry = await waitingEntry(lost._id);
    // It keeps its place: it has waited since it was asked for.
    expect(entry.createdAt).toEqual(old);
    // Nothing left to restore, and a bounded read.
    expect(await queue.restoreLostLocks()).not.toContain(lost._id);
    expect(await queue.restoreLostLocks(new Date(), 0)).toEqual([]);
  });

  it('counts a dream running under its own live lease whose slot lapsed as running for its tenant, not waiting', async () => {
    const tenantId = uniqueName('tnt_lapsed');
    const lapsed = aDream(tenantId);
    const dead = aDream(tenantId);
    for (const d of [lapsed, dead]) expect((await dreams.create(d)).created).toBe(true);
    expect(await dreams.claim(lapsed._id, 'replica-x', 60_000)).not.toBeNull();
    // Its replica died: its lease ran out.
    expect(await dreams.claim(dead._id, 'replica-y', 60_000, ago(120_000))).not.toBeNull();
    // Neither holds a live slot (`lapsed`'s slot lease ran out and the slot was taken since).
    expect(await slots.held()).toBe(0);

    const snapshot = await queue.snapshot();
    const waiting = snapshot.waiting.filter((w) => w.tenantId === tenantId).map((w) => w.dreamId);
    expect(waiting).toEqual([dead._id]);
    expect(snapshot.running.get(tenantId)).toBe(1);
  });

  it('a dream handed back at shutdown waits again at once, claimable by another replica, the run not counted', async () => {
    const tenantId = uniqueName('tnt_back');
    const d = aDream(tenantId);
    expect((await dreams.create(d)).created).toBe(true);
    expect(await dreams.claim(d._id, 'replica-x', 60_000, new Date(), 2)).toMatchObject({
      attempts: 1,
    });
    // Only its owner hands it back.
    expect(await dreams.handBack(d._id, 'replica-y')).toBe(false);
    expect(await dreams.handBack(d._id, 'replica-x')).toBe(true);
    const snapshot = await queue.snapshot();
    expect(snapshot.waiting.map((w) => w.dreamId)).toContain(d._id);
    expect(snapshot.running.get(tenantId)).toBeUndefined();
    // Its agent's lock stays (the dream is unfinished), and its old runner holds it no more.
    expect((await lockOf(d))?.dreamId).toBe(d._id);
    expect(await dreams.heartbeat(d._id, 'replica-x', 60_000)).toMatchObject({ held: false });
    // Handed back twice: still one attempt made each time, never out of attempts (max 2).
    for (const owner of ['replica-y', 'replica-z']) {
      expect(await dreams.claim(d._id, owner, 60_000, new Date(), 2)).toMatchObject({
        status: 'running',
        leaseOwner: owner,
        attempts: 1,
      });
      expect(await dreams.handBack(d._id, owner)).toBe(true);
    }
  });
});

async function expectSoon(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
