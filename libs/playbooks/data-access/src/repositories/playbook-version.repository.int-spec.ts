import type { VersionStatus } from '@reverie/playbooks-domain';
import { aPerson, aVersion, anEntry } from '@reverie/playbooks-domain/testing';
import { uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { startPlaybooksDataAccess } from '../../test/playbooks-data-access.context';
import { PlaybookConflictError } from './playbook-conflict.error';
import { PlaybookVersionRepository } from './playbook-version.repository';

/** The repository against the real MongoDB-wire server: no transactions, unique indexes only. */
describe('PlaybookVersionRepository', () => {
  const db = uniqueName('test_playbooks');
  let context: DataAccessContext;
  let repo: PlaybookVersionRepository;

  beforeAll(async () => {
    context = await startPlaybooksDataAccess(db);
    repo = context.app.get(PlaybookVersionRepository);
  });
  afterAll(() => context?.close());

  const v = (playbookId: string, version: number, status: VersionStatus) =>
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

  it('lists only the versions of one status when asked, still paged', async () => {
    const pbk = uniqueName('pbk');
    await repo.insert('acme', v(pbk, 1, 'active'));
    for (let n = 2; n <= 4; n++) await repo.insert('acme', v(pbk, n, 'proposed'));
    await repo.insert('acme', v(pbk, 5, 'rejected'));
    const proposed = await repo.list('acme', pbk, { limit: 10, status: 'proposed' });
    expect(proposed.map((s) => [s.version, s.status])).toEqual([
      [4, 'proposed'],
      [3, 'proposed'],
      [2, 'proposed'],
    ]);
    const page = await repo.list('acme', pbk, { limit: 1, status: 'proposed', beforeVersion: 4 });
    expect(page.map((s) => s.version)).toEqual([3, 2]);
  });

  it('changes a status only from the expected one, recording the decision', async () => {
    const pbk = uniqueName('pbk');
    await repo.insert('acme', v(pbk, 1, 'proposed'));
    const review = {
      decision: 'rejected' as const,
      by: aPerson('ada'),
      at: '2025-03-02T00:00:00.000Z',
      reason: 'too cautious',
    };
    expect(await repo.setStatus('acme', pbk, 1, 'active', 'superseded')).toBe(false);
    expect(await repo.setStatus('globex', pbk, 1, 'proposed', 'rejected', review)).toBe(false);
    expect(await repo.setStatus('acme', pbk, 9, 'proposed', 'rejected', review)).toBe(false);
    expect((await repo.findVersion('acme', pbk, 1))?.status).toBe('proposed');

    expect(await repo.setStatus('acme', pbk, 1, 'proposed', 'rejected', review)).toBe(true);
    expect(await repo.setStatus('acme', pbk, 1, 'proposed', 'active')).toBe(false);
    expect(await repo.findVersion('acme', pbk, 1)).toMatchObject({ status: 'rejected', review });
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
