import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import type { DreamCheckpoint } from '@reverie/dreaming-domain';
import { DreamingDataAccessModule } from '../dreaming-data-access.module';
import { CHECKPOINT_MAX_BYTES, DreamCheckpointRepository } from './dream-checkpoint.repository';
import { DreamRepository } from './dream.repository';

/** Dream checkpoints against the real MongoDB-wire server. */
describe('DreamCheckpointRepository', () => {
  const db = uniqueName('test_dream_checkpoints');
  let context: DataAccessContext;
  let checkpoints: DreamCheckpointRepository;
  let dreams: DreamRepository;

  beforeAll(async () => {
    context = await startDataAccess(DreamingDataAccessModule, db);
    checkpoints = context.app.get(DreamCheckpointRepository);
    dreams = context.app.get(DreamRepository);
  });
  afterAll(() => context?.close());

  const checkpoint = (key: string): DreamCheckpoint => ({
    key,
    sessionIds: ['ses_1', 'ses_2'],
    stages: [],
    localisations: [{ sessionId: 'ses_1', step: 4, role: 'navigator' }],
    // Drafts hold the environment's JSON: keys a MongoDB field name may not hold come back as sent.
    drafts: [{ role: null, draft: { title: 't', rule: { 'touchdown.speed': { $lt: 2 } } } }],
    proposals: [],
    notes: ['a note'],
  });

  it('keeps one checkpoint per dream, as written, for its tenant only', async () => {
    expect(await checkpoints.load('t1', 'drm_a')).toBeNull();
    expect(await checkpoints.save('t1', 'drm_a', checkpoint('k1'))).toBe(true);
    expect(await checkpoints.load('t1', 'drm_a')).toEqual(checkpoint('k1'));
    // A later run replaces it.
    expect(await checkpoints.save('t1', 'drm_a', checkpoint('k2'))).toBe(true);
    expect((await checkpoints.load('t1', 'drm_a'))?.key).toBe('k2');
    // Another tenant reads nothing, even with the dream's id.
    expect(await checkpoints.load('t2', 'drm_a')).toBeNull();
  });

  it('keeps nothing over CHECKPOINT_MAX_BYTES', async () => {
    const big = { ...checkpoint('k'), notes: ['x'.repeat(CHECKPOINT_MAX_BYTES)] };
    expect(await checkpoints.save('t1', 'drm_big', big)).toBe(false);
    expect(await checkpoints.load('t1', 'drm_big')).toBeNull();
  });

  const newDream = (_id: string, agentId: string) => ({
    _id,
    tenantId: 't1',
    agentId,
    input: { type: 'since_last_dream' as const, limit: 10 },
    instructions: '',
    model: { provider: 'builtin' as const },
    publish: 'apply' as const,
    trigger: 'api' as const,
  });

  it('is removed when its dream ends', async () => {
    const _id = uniqueName('drm_ends');
    const created = await dreams.create(newDream(_id, 'agt_1'));
    expect(created.created).toBe(true);
    expect(await dreams.claim(_id, 'replica-a', 60_000)).not.toBeNull();
    await checkpoints.save('t1', _id, checkpoint('k'));
    expect(await checkpoints.load('t1', _id)).not.toBeNull();
    expect(await dreams.finish(_id, 'replica-a', { status: 'completed' })).toBe(true);
    expect(await checkpoints.load('t1', _id)).toBeNull();
  });

  it('is removed with the stale lock of a dream whose replica died after ending it', async () => {
    const ended = uniqueName('drm_died');
    expect((await dreams.create(newDream(ended, 'agt_died'))).created).toBe(true);
    await checkpoints.save('t1', ended, checkpoint('k'));
    // The replica ended the dream, then died before `release`: the document says completed, the
    // lock and the checkpoint are still there.
    await context.connection
      .collection('dreams')
      .updateOne({ _id: ended as never }, { $set: { status: 'completed', endedAt: new Date() } });
    expect(await checkpoints.load('t1', ended)).not.toBeNull();
    // The agent's next dream takes the stale lock over, and the checkpoint goes with it.
    expect((await dreams.create(newDream(uniqueName('drm_next'), 'agt_died'))).created).toBe(true);
    expect(await checkpoints.load('t1', ended)).toBeNull();
  });
});
