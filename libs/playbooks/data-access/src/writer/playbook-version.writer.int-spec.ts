import { TOPICS } from '@reverie/contracts';
import type { PlaybookVersion } from '@reverie/playbooks-domain';
import { aDream, aPerson, aVersion, anEntry } from '@reverie/playbooks-domain/testing';
import { expectEventually } from '@reverie/testing';
import {
  startGroupAtEnd,
  testKafka,
  uniqueName,
  type DataAccessContext,
} from '@reverie/testing/integration';
import type { Consumer } from 'kafkajs';
import { startPlaybooksDataAccess } from '../../test/playbooks-data-access.context';
import { playbookIdFor } from '../playbook-id';
import { PlaybookVersionRepository } from '../repositories/playbook-version.repository';
import { PlaybookVersionWriter } from './playbook-version.writer';

/** The writer against the real MongoDB-wire server and Kafka, as the gateway and dreamer use it. */
describe('PlaybookVersionWriter', () => {
  const tenant = uniqueName('acme');
  let context: DataAccessContext;
  let writer: PlaybookVersionWriter;
  let repo: PlaybookVersionRepository;
  let consumer: Consumer;
  /** Announcements of this file's tenant, in the order read. */
  const announced: { key: string; playbookId: string; version: number; id: string }[] = [];

  beforeAll(async () => {
    context = await startPlaybooksDataAccess(uniqueName('test_playbook_writer'));
    writer = context.app.get(PlaybookVersionWriter);
    repo = context.app.get(PlaybookVersionRepository);
    const groupId = uniqueName('playbook-writer-tap');
    await startGroupAtEnd(groupId, TOPICS.playbookVersions);
    consumer = testKafka().consumer({ groupId, sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.playbookVersions, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith(`${tenant}/`)) return;
        const value = JSON.parse(message.value?.toString() ?? 'null');
        announced.push({ key, id: value.id, ...value.payload });
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await context?.close();
  });

  const versionsOf = (playbookId: string) => announced.filter((m) => m.playbookId === playbookId);

  /** A new agent's playbook: its own key on the topic. */
  function aPlaybook() {
    const agentId = uniqueName('agt');
    const pbk = playbookIdFor(agentId);
    const version = (overrides: Partial<PlaybookVersion> = {}) =>
      aVersion({ agentId, playbookId: pbk, ...overrides });
    return { agentId, pbk, version };
  }

  /** Version 1 active, then proposals 2 and 3 made against it. */
  async function withProposals() {
    const { pbk, version } = aPlaybook();
    await writer.activate(tenant, version());
    const proposals = [2, 3].map((n) =>
      version({
        version: n,
        parentVersion: 1,
        status: 'proposed',
        author: aDream(),
        entries: [anEntry(), anEntry({ id: `pb-dream-${n}` })],
      }),
    );
    for (const p of proposals) await writer.propose(tenant, p);
    return { pbk, version, proposals };
  }

  it('activates a version: stored, older ones superseded, announced, publishedAt recorded', async () => {
    const { agentId, pbk, version } = aPlaybook();
    await writer.activate(tenant, version());
    const v2 = await writer.activate(tenant, version({ version: 2, parentVersion: 1 }));
    expect(v2).toMatchObject({ version: 2, status: 'active', publishedAt: expect.any(String) });
    expect((await repo.findVersion(tenant, pbk, 1))?.status).toBe('superseded');
    expect((await repo.findActive(tenant, pbk))?.publishedAt).toBe(v2.publishedAt);
    await expectEventually(() => expect(versionsOf(pbk).map((m) => m.version)).toEqual([1, 2]));
    expect(versionsOf(pbk)[1]).toMatchObject({
      key: `${tenant}/${agentId}`,
      id: `${pbk}:v2:activated`,
    });
  });

  it('stores a proposal without changing the active version or announcing it', async () => {
    const { pbk, version } = await withProposals();
    expect((await repo.findActive(tenant, pbk))?.version).toBe(1);
    expect(
      (await repo.list(tenant, pbk, { limit: 10, status: 'proposed' })).map((v) => v.version),
    ).toEqual([3, 2]);
    await expect(writer.propose(tenant, version({ version: 4, parentVersion: 1 }))).rejects.toThrow(
      /cannot propose version 4 .* its status is active; build it with status proposed/,
    );
    await expect(
      writer.activate(tenant, version({ version: 4, status: 'proposed' })),
    ).rejects.toThrow(/cannot activate version 4/);
    expect(await repo.latestVersionNumber(tenant, pbk)).toBe(3);
    await expectEventually(() => expect(versionsOf(pbk).map((m) => m.version)).toEqual([1]));
  });

  it('approves a proposal: it becomes active, its parent superseded, and it is announced', async () => {
    const { pbk, proposals } = await withProposals();
    const approved = await writer.approve(tenant, pbk, 2, aPerson('ada'));
    expect(approved).toMatchObject({
      version: 2,
      status: 'active',
      entries: proposals[0].entries,
      author: aDream(),
      review: { decision: 'approved', by: aPerson('ada'), at: expect.any(String), reason: null },
      publishedAt: expect.any(String),
    });
    expect(await repo.findActive(tenant, pbk)).toEqual(approved);
    expect((await repo.findVersion(tenant, pbk, 1))?.status).toBe('superseded');
    await expectEventually(() => expect(versionsOf(pbk).map((m) => m.version)).toEqual([1, 2]));

    // Proposal 3 was made against version 1, which is no longer the active one.
    await expect(writer.approve(tenant, pbk, 3)).rejects.toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(/proposed against version 1, but the active version is now 2/),
    });
    await expect(writer.approve(tenant, pbk, 2)).rejects.toMatchObject({
      code: 'invalid_transition',
      message: expect.stringContaining('version 2 is active, not proposed'),
    });
    await expect(writer.approve(tenant, pbk, 9)).rejects.toMatchObject({
      code: 'version_not_found',
    });
    expect((await repo.findVersion(tenant, pbk, 3))?.status).toBe('proposed');
  });

  it("keeps what a dream's proposal was learned from once approved, and leaves it out of listings", async () => {
    const { pbk, version } = aPlaybook();
    await writer.activate(tenant, version());
    const learnedFrom = [
      {
        environment: 'ci-log-triage',
        input: 'sessions of agent agt_1',
        train: [{ id: 'case-1', digest: '0123456789abcdef' }],
        validation: [{ id: 'case-2', digest: 'fedcba9876543210' }],
      },
    ];
    await writer.propose(
      tenant,
      version({ version: 2, parentVersion: 1, status: 'proposed', author: aDream(), learnedFrom }),
    );
    const approved = await writer.approve(tenant, pbk, 2, aPerson('ada'));
    expect(approved.learnedFrom).toEqual(learnedFrom);
    expect((await repo.findActive(tenant, pbk))?.learnedFrom).toEqual(learnedFrom);
    expect('learnedFrom' in ((await repo.findVersion(tenant, pbk, 1)) ?? {})).toBe(false);
    const listed = await repo.list(tenant, pbk, { limit: 10 });
    expect(listed.map((v) => v.version)).toEqual([2, 1]);
    expect(listed.some((v) => 'learnedFrom' in v)).toBe(false);
  });

  it("approves a new playbook's first version, proposed against nothing", async () => {
    const { pbk, version } = aPlaybook();
    await writer.propose(tenant, version({ status: 'proposed', author: aDream() }));
    const approved = await writer.approve(tenant, pbk, 1);
    expect(approved).toMatchObject({ status: 'active', review: { by: null } });
    expect((await repo.findActive(tenant, pbk))?.version).toBe(1);
  });

  it('rejects a proposal with a reason, once; a rejected or active version cannot be decided again', async () => {
    const { pbk } = await withProposals();
    const rejected = await writer.reject(
      tenant,
      pbk,
      2,
      'retires a lesson that still helps',
      aPerson(),
    );
    expect(rejected).toMatchObject({
      status: 'rejected',
      review: { decision: 'rejected', by: aPerson(), reason: 'retires a lesson that still helps' },
    });
    expect(await repo.findVersion(tenant, pbk, 2)).toEqual(rejected);
    expect((await repo.findActive(tenant, pbk))?.version).toBe(1);

    await expect(writer.reject(tenant, pbk, 2)).rejects.toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(
        /is rejected and cannot become rejected; propose the change again/,
      ),
    });
    await expect(writer.approve(tenant, pbk, 2)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    await expect(writer.reject(tenant, pbk, 1)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    await expect(writer.reject(tenant, pbk, 9)).rejects.toMatchObject({
      code: 'version_not_found',
    });
    await expect(writer.reject(tenant, pbk, 3, 'ask jane.doe@acme.io')).rejects.toMatchObject({
      code: 'content_rejected',
    });
    expect((await repo.findVersion(tenant, pbk, 3))?.status).toBe('proposed');
    await expectEventually(() => expect(versionsOf(pbk).map((m) => m.version)).toEqual([1]));
  });

  it('lets exactly one of a concurrent approval and rejection of the same proposal take effect', async () => {
    const { pbk } = await withProposals();
    const [approval, rejection] = await Promise.allSettled([
      writer.approve(tenant, pbk, 2),
      writer.reject(tenant, pbk, 2),
    ]);
    expect([approval.status, rejection.status].sort()).toEqual(['fulfilled', 'rejected']);
    const lost = (approval.status === 'rejected' ? approval : rejection) as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'invalid_transition' });
    const stored = await repo.findVersion(tenant, pbk, 2);
    expect(stored?.status).toBe(approval.status === 'fulfilled' ? 'active' : 'rejected');
    expect(stored?.review?.decision).toBe(
      approval.status === 'fulfilled' ? 'approved' : 'rejected',
    );
  });

  it('never lets one tenant decide on another tenant’s proposal', async () => {
    const { pbk } = await withProposals();
    await expect(writer.approve('globex', pbk, 2)).rejects.toMatchObject({
      code: 'version_not_found',
    });
    await expect(writer.reject('globex', pbk, 2)).rejects.toMatchObject({
      code: 'version_not_found',
    });
    expect((await repo.findVersion(tenant, pbk, 2))?.status).toBe('proposed');
  });
});
