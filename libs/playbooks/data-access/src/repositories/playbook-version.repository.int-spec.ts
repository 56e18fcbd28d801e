import { aPerson, aVersion, anEntry } from '@reverie/playbooks-domain/testing';
import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { PlaybooksDataAccessModule } from '../playbooks-data-access.module';
import { PlaybookConflictError } from './playbook-conflict.error';
import { PlaybookVersionRepository } from './playbook-version.repository';

/** The repository against the real MongoDB-wire server: no transactions, unique indexes only. */
describe('PlaybookVersionRepository', () => {
  const db = uniqueName('test_playbooks');
  let context: DataAccessContext;
  let repo: PlaybookVersionRepository;

  beforeAll(async () => {
    context = await startDataAccess(PlaybooksDataAccessModule, db);
    repo = context.app.get(PlaybookVersionRepository);
  });
  afterAll(() => context?.close());

  const v = (playbookId: string, version: number, status: 'active' | 'superseded' | 'proposed') =>
    aVersion({
      playbookId,
      version,
      parentVersion: version > 1 ? version - 1 : null,
      status,
      entries: [anEntry({ id: `pb-${version}` })],
    });

  it('reads the highest active version even when a crash left an older one active', async () => {
    const pbk = uniqueName('pbk');
    await repo.insert('acme', v(pbk, 1, 'active'));
    await repo.insert('acme', v(pbk, 2, 'active')); // "crash" before superseding version 1
    await repo.insert('acme', v(pbk, 3, 'proposed'));

    expect((await repo.findActive('acme', pbk))?.version).toBe(2);
    expect(await repo.latestVersionNumber('acme', pbk)).toBe(3);

    expect(await repo.markSuperseded('acme', pbk, 2)).toBe(1);
    expect(await repo.markSuperseded('acme', pbk, 2)).toBe(0);
    expect((await repo.findVersion('acme', pbk, 1))?.status).toBe('superseded');
    expect((await repo.findActive('acme', pbk))?.entries).toEqual([anEntry({ id: 'pb-2' })]);
  });

  it('lets only one of two concurrent edits take a version number', async () => {
    const pbk = uniqueName('pbk');
    await repo.insert('acme', v(pbk, 1, 'active'));
    const results = await Promise.allSettled([
      repo.insert('acme', { ...v(pbk, 2, 'active'), author: aPerson('ada') }),
      repo.insert('acme', { ...v(pbk, 2, 'active'), author: aPerson('bob') }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = results.filter((r) => r.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(PlaybookConflictError);
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({
      status: 409,
      code: 'conflict_error',
    });
  });

  it('lists newest first, paged, without entries', async () => {
    const pbk = uniqueName('pbk');
    for (let n = 1; n <= 5; n++) await repo.insert('acme', v(pbk, n, 'active'));
    const first = await repo.list('acme', pbk, { limit: 2 });
    expect(first.map((s) => s.version)).toEqual([5, 4, 3]); // limit + 1: there is more
    expect(first[0]).not.toHaveProperty('entries');
    const next = await repo.list('acme', pbk, { limit: 2, beforeVersion: 4 });
    expect(next.map((s) => s.version)).toEqual([3, 2, 1]);
  });

  it("never shows one tenant's versions to another", async () => {
    const pbk = uniqueName('pbk');
    await repo.insert('acme', v(pbk, 1, 'active'));
    expect(await repo.findActive('globex', pbk)).toBeNull();
    expect(await repo.findVersion('globex', pbk, 1)).toBeNull();
    expect(await repo.list('globex', pbk, { limit: 10 })).toEqual([]);
    expect(await repo.latestVersionNumber('globex', pbk)).toBe(0);
    expect(await repo.markSuperseded('globex', pbk, 9)).toBe(0);
  });

  it('records when a version was published', async () => {
    const pbk = uniqueName('pbk');
    await repo.insert('acme', v(pbk, 1, 'active'));
    expect((await repo.findActive('acme', pbk))?.publishedAt).toBeNull();
    const at = new Date('2025-03-01T00:00:00.000Z');
    await repo.markPublished('acme', pbk, 1, at);
    expect((await repo.findActive('acme', pbk))?.publishedAt).toBe(at.toISOString());
  });
});
