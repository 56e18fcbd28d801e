import { getModelToken } from '@nestjs/mongoose';
import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import type { Model } from 'mongoose';
import { DreamingDataAccessModule } from '../dreaming-data-access.module';
import { DreamSlot } from '../schemas/dream-slot.schema';
import { DreamSlotRepository } from './dream-slot.repository';

/** The global dream slots against the real MongoDB-wire server. */
describe('DreamSlotRepository', () => {
  const db = uniqueName('test_dream_slots');
  let context: DataAccessContext;
  /** Two replicas: separate repositories (and slot caches) on one database. */
  let a: DreamSlotRepository;
  let b: DreamSlotRepository;
  const LEASE = 60_000;

  beforeAll(async () => {
    context = await startDataAccess(DreamingDataAccessModule, db);
    a = context.app.get(DreamSlotRepository);
    b = new DreamSlotRepository(context.app.get<Model<DreamSlot>>(getModelToken(DreamSlot.name)));
  });
  afterAll(() => context?.close());

  it('never hands out more than the limit, however many replicas race for slots', async () => {
    const limit = 3;
    const requests = Array.from({ length: 12 }, (_, i) => ({
      repo: i % 2 ? a : b,
      dreamId: `drm_race_${i}`,
      owner: i % 2 ? 'replica-a' : 'replica-b',
    }));
    const got = await Promise.all(
      requests.map((r) => r.repo.acquire(r.dreamId, r.owner, limit, LEASE)),
    );
    const taken = got.filter((s): s is string => s !== null);
    expect(taken).toHaveLength(limit);
    expect(new Set(taken)).toEqual(new Set(['slot-0', 'slot-1', 'slot-2']));
    expect(await a.held()).toBe(limit);

    // A released slot is free for the next dream; a holder that is not the holder frees nothing.
    const i = got.findIndex((s) => s === 'slot-1');
    await b.release({ slotId: 'slot-1', dreamId: 'drm_someone_else', owner: requests[i].owner });
    expect(await a.acquire('drm_next', 'replica-a', limit, LEASE)).toBeNull();
    await b.release({ slotId: 'slot-1', dreamId: requests[i].dreamId, owner: requests[i].owner });
    expect(await a.acquire('drm_next', 'replica-a', limit, LEASE)).toBe('slot-1');
    // A larger limit opens more slots.
    expect(await b.acquire('drm_more', 'replica-b', limit + 1, LEASE)).toBe('slot-3');
  });

  it("frees a slot whose holder stopped renewing it (its replica died), and the old holder can't renew it back", async () => {
    const limit = 4; // all held by the previous test
    const t0 = new Date();
    expect(await a.acquire('drm_late', 'replica-a', limit, LEASE, t0)).toBeNull();
    // Past every lease: the slots are free again.
    const later = new Date(t0.getTime() + 2 * LEASE);
    const slotId = await a.acquire('drm_late', 'replica-a', limit, LEASE, later);
    expect(slotId).toMatch(/^slot-[0-3]$/);
    const holder = { slotId: String(slotId), dreamId: 'drm_late', owner: 'replica-a' };
    expect(await a.renew(holder, LEASE, later)).toBe(true);
    // The slot's previous holder lost it.
    expect(await a.renew({ ...holder, dreamId: 'drm_race_0', owner: 'replica-b' }, LEASE)).toBe(
      false,
    );
    expect(await a.held(later)).toBe(1);
  });

  it('recreates the slot documents if they were dropped', async () => {
    await context.connection.collection('dream_slots').drop();
    expect(await a.acquire('drm_after_drop', 'replica-a', 2, LEASE)).toMatch(/^slot-[01]$/);
    expect(await a.held()).toBe(1);
  });
});
