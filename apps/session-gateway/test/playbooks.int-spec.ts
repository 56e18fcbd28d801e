import { TOPICS } from '@reverie/contracts';
import { PlaybookVersionRepository, PlaybookVersionWriter } from '@reverie/playbooks-data-access';
import { applyDeltas } from '@reverie/playbooks-domain';
import { aDream } from '@reverie/playbooks-domain/testing';
import { anAgent, expectEventually, type ApiClient, type Json } from '@reverie/testing';
import { testKafka, uniqueName } from '@reverie/testing/integration';
import type { Consumer } from 'kafkajs';
import { startGateway, type RunningGateway } from './gateway.harness';

const brakeLow = {
  title: 'Brake low',
  guidance: 'Throttle to 80 % below 50 m when falling faster than 3 m/s.',
  rationale: 'Sessions that braked later crashed.',
  evidence: [{ sessionId: 'ses_1', step: 41, role: 'navigator' }],
  rule: {
    when: {
      all: [
        { feature: 'altitude', op: 'lt', value: 50 },
        { feature: 'vertical_speed', op: 'lt', value: -3 },
      ],
    },
    then: { action: 'set_throttle', params: { level: 0.8 } },
  },
};

describe('playbooks over HTTP', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let bob: ApiClient;
  let consumer: Consumer;
  const aliceTenant = uniqueName('alice');
  let agentId: string;
  let base: string;
  let entryId: string;
  /** Every playbook message of alice's tenant, in the order read. */
  const announced: { key: string; value: Json }[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    [alice, bob] = await Promise.all([gateway.tenant(aliceTenant), gateway.tenant()]);
    const agent = await alice.post('/v1/agents', anAgent());
    agentId = agent.body.id;
    base = `/v1/agents/${agentId}/playbook`;

    // A replica starting up: a new group reading the compacted topic from the beginning.
    consumer = testKafka().consumer({ groupId: uniqueName('playbook-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.playbookVersions, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (key.startsWith(`${aliceTenant}/`))
          announced.push({ key, value: JSON.parse(message.value?.toString() ?? 'null') });
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await gateway?.close();
  });

  it('answers version 0, marked empty, before the first entry', async () => {
    const res = await alice.get(base);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      agentId,
      role: null,
      version: 0,
      status: 'empty',
      entries: [],
      learnedFrom: [],
      hint: expect.stringContaining(`POST ${base}/entries`),
    });
    const rendered = await alice.get(`${base}/render`);
    expect(rendered.body).toMatchObject({ version: 0, format: 'markdown' });
    expect(rendered.body.content).toContain('There are no lessons yet.');
  });

  it('makes versions 1, 2 and 3 with parents, authors and diffs as entries are added, edited and retired', async () => {
    const v1 = await alice.post(`${base}/entries`, { ...brakeLow, message: 'first lesson' });
    expect(v1.status).toBe(201);
    entryId = v1.body.entries[0].id;
    expect(v1.body).toMatchObject({
      version: 1,
      parentVersion: null,
      status: 'active',
      message: 'first lesson',
      author: { kind: 'person', id: expect.stringMatching(/^[a-f0-9]{16}$/) },
      diff: { added: [{ id: entryId, title: 'Brake low' }], removed: [], changed: [] },
      publishedAt: expect.any(String),
    });

    const v2 = await alice.patch(`${base}/entries/${entryId}`, {
      guidance: 'Throttle to 85 % below 60 m when falling faster than 3 m/s.',
    });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, parentVersion: 1, status: 'active' });
    expect(v2.body.diff.changed).toEqual([
      {
        id: entryId,
        title: 'Brake low',
        changes: [
          { field: 'guidance', before: brakeLow.guidance, after: expect.stringContaining('85 %') },
        ],
      },
    ]);

    const v3 = await alice.post(`${base}/entries/${entryId}/retire`, { reason: 'too cautious' });
    expect(v3.status).toBe(201);
    expect(v3.body).toMatchObject({ version: 3, parentVersion: 2 });
    expect(v3.body.entries[0]).toMatchObject({ status: 'retired', retiredReason: 'too cautious' });
    expect(v3.body.diff.changed[0].changes).toContainEqual({
      field: 'status',
      before: 'active',
      after: 'retired',
    });
  });

  it('lists, reads and diffs versions', async () => {
    const list = await alice.get(`${base}/versions`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((v: Json) => [v.version, v.parentVersion, v.status])).toEqual([
      [3, 2, 'active'],
      [2, 1, 'superseded'],
      [1, null, 'superseded'],
    ]);
    expect(list.body.data[0]).not.toHaveProperty('entries');

    const page = await alice.get(`${base}/versions?limit=2`);
    expect(page.body).toMatchObject({ has_more: true, last_version: 2 });
    const rest = await alice.get(`${base}/versions?limit=2&before_version=2`);
    expect(rest.body.data.map((v: Json) => v.version)).toEqual([1]);
    expect(rest.body.has_more).toBe(false);

    const v1 = await alice.get(`${base}/versions/1`);
    expect(v1.body.entries[0]).toMatchObject({ id: entryId, guidance: brakeLow.guidance });
    expect((await alice.get(`${base}/versions/9`)).status).toBe(404);
    const bad = await alice.get(`${base}/versions/latest`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.type).toBe('invalid_request_error');

    const diff = await alice.get(`${base}/diff?from=1&to=3`);
    expect(diff.body.from).toBe(1);
    expect(diff.body.to).toBe(3);
    expect(diff.body.diff.changed[0].changes.map((c: Json) => c.field)).toEqual([
      'guidance',
      'status',
      'retiredReason',
    ]);
    // Defaults: the active version against its parent.
    const last = await alice.get(`${base}/diff`);
    expect(last.body).toMatchObject({ from: 2, to: 3 });
  });

  it('rolls back as a new version 4 equal to version 1', async () => {
    const v4 = await alice.post(`${base}/rollback`, { version: 1 });
    expect(v4.status).toBe(201);
    expect(v4.body).toMatchObject({ version: 4, parentVersion: 3, status: 'active' });
    const v1 = await alice.get(`${base}/versions/1`);
    expect(v4.body.entries).toEqual(v1.body.entries);

    const active = await alice.get(base);
    expect(active.body.version).toBe(4);
    const statuses = (await alice.get(`${base}/versions`)).body.data.map((v: Json) => v.status);
    expect(statuses).toEqual(['active', 'superseded', 'superseded', 'superseded']);

    const markdown = (await alice.get(`${base}/render?format=markdown`)).body.content;
    expect(markdown).toContain(`## [${entryId}] Brake low`);
    const rules = await alice.get(`${base}/render?format=rules`);
    expect(rules.body).toMatchObject({ version: 4, format: 'rules' });
    expect(rules.body.content).toEqual([{ entryId, title: 'Brake low', ...brakeLow.rule }]);
  });

  it('refuses secrets and personal data with a 422 naming the field, and makes no version', async () => {
    const secret = await alice.post(`${base}/entries`, {
      ...brakeLow,
      title: 'Call the model',
      guidance: 'Use sk-ant-api03-AbCdEf0123456789_xyzXYZ when the default key is rate limited.',
    });
    expect(secret.status).toBe(422);
    expect(secret.body.error.type).toBe('content_rejected');
    expect(secret.body.error.message).toContain('an Anthropic API key');
    expect(secret.body.error.details).toEqual([
      {
        path: expect.stringMatching(/^entries\[pb-[a-f0-9]+\]\.guidance$/),
        message: expect.any(String),
      },
    ]);

    const email = await alice.patch(`${base}/entries/${entryId}`, {
      rationale: 'Reported by jane.doe@acme.io after the crash.',
    });
    expect(email.status).toBe(422);
    expect(email.body.error.details[0].path).toBe(`entries[${entryId}].rationale`);
    expect(email.body.error.message).toContain('an email address');

    const inMessage = await alice.post(`${base}/rollback`, {
      version: 2,
      message: 'asked by jane.doe@acme.io',
    });
    expect(inMessage.status).toBe(422);
    expect(inMessage.body.error.details[0].path).toBe('message');

    expect((await alice.get(base)).body.version).toBe(4);
  });

  it('answers 400 with the wrong fields for a malformed body or query', async () => {
    const missing = await alice.post(`${base}/entries`, { title: 'No guidance' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.type).toBe('invalid_request_error');
    expect(missing.body.error.details.map((d: Json) => d.path)).toEqual(['guidance', 'rationale']);

    const nothing = await alice.patch(`${base}/entries/${entryId}`, { message: 'just a message' });
    expect(nothing.status).toBe(400);
    const typo = await alice.get(`${base}?rol=navigator`);
    expect(typo.status).toBe(400);
    expect(typo.body.error.details[0].path).toBe('query');
    expect((await alice.post(`${base}/rollback`, { version: 'one' })).status).toBe(400);
    expect((await alice.get(`${base}/render?format=yaml`)).status).toBe(400);
  });

  it('answers 404 for an unknown agent, role or entry, saying what to do', async () => {
    const agent = await alice.get('/v1/agents/agt_nope/playbook');
    expect(agent.status).toBe(404);
    expect(agent.body.error).toMatchObject({
      type: 'not_found_error',
      message: expect.stringContaining('create one with POST /v1/agents'),
    });
    expect((await alice.post('/v1/agents/agt_nope/playbook/entries', brakeLow)).status).toBe(404);
    const role = await alice.get(`${base}?role=pilot`);
    expect(role.status).toBe(404);
    expect(role.body.error.message).toContain('its roles: navigator, detector');
    const entry = await alice.patch(`${base}/entries/pb-missing`, { title: 'x' });
    expect(entry.status).toBe(404);
    expect(entry.body.error.type).toBe('entry_not_found');
  });

  it('keeps another tenant from reading or changing the playbook', async () => {
    for (const path of [
      base,
      `${base}/versions`,
      `${base}/versions/1`,
      `${base}/diff`,
      `${base}/render`,
    ]) {
      const res = await bob.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(JSON.stringify(res.body)).not.toContain('Brake low');
    }
    expect((await bob.post(`${base}/entries`, { ...brakeLow, title: 'Bob was here' })).status).toBe(
      404,
    );
    expect((await bob.patch(`${base}/entries/${entryId}`, { title: 'Bob was here' })).status).toBe(
      404,
    );
    expect((await bob.post(`${base}/entries/${entryId}/retire`, {})).status).toBe(404);
    expect((await bob.post(`${base}/rollback`, { version: 2 })).status).toBe(404);
    expect((await bob.post(`${base}/publish`)).status).toBe(404);
    expect((await alice.get(base)).body).toMatchObject({
      version: 4,
      entries: [{ title: 'Brake low' }],
    });
  });

  it("keeps a role's playbook separate from the agent's", async () => {
    const nav = await alice.post(`${base}/entries?role=navigator`, {
      title: 'Check the radar first',
      guidance: 'Read the radar altitude before every throttle change.',
      rationale: 'Barometric altitude drifts near the ground.',
    });
    expect(nav.status).toBe(201);
    expect(nav.body).toMatchObject({ role: 'navigator', version: 1, parentVersion: null });
    expect(nav.body.playbookId).not.toBe((await alice.get(base)).body.playbookId);

    expect(
      (await alice.get(`${base}?role=navigator`)).body.entries.map((e: Json) => e.title),
    ).toEqual(['Check the radar first']);
    expect((await alice.get(`${base}?role=detector`)).body).toMatchObject({
      version: 0,
      status: 'empty',
    });
    expect((await alice.get(base)).body).toMatchObject({
      version: 4,
      entries: [{ title: 'Brake low' }],
    });
    const rendered = await alice.get(`${base}/render?role=navigator`);
    expect(rendered.body.content).toContain('for the navigator role');
  });

  it('announces each active version on the compacted topic, keyed by tenant, agent and role', async () => {
    const agentKey = `${aliceTenant}/${agentId}`;
    const latest = (key: string) => announced.filter((m) => m.key === key).at(-1)?.value;
    const active = (await alice.get(base)).body;
    await expectEventually(() => {
      expect(latest(agentKey)).toMatchObject({
        type: 'playbook.version_activated',
        tenantId: aliceTenant,
        agentId,
        payload: { playbookId: active.playbookId, role: null, version: 4, entries: active.entries },
      });
      expect(latest(`${agentKey}/navigator`)).toMatchObject({
        payload: { role: 'navigator', version: 1, entries: [{ title: 'Check the radar first' }] },
      });
    });
    expect(announced.filter((m) => m.key === agentKey).map((m) => m.value.payload.version)).toEqual(
      [1, 2, 3, 4],
    );

    // An operator re-announces the active version: the same message again, with its same id.
    const before = announced.length;
    const republished = await alice.post(`${base}/publish`);
    expect(republished.status).toBe(200);
    expect(republished.body).toMatchObject({ version: 4, publishedAt: expect.any(String) });
    await expectEventually(() => {
      expect(announced.length).toBe(before + 1);
      expect(announced.at(-1)).toMatchObject({
        key: agentKey,
        value: { id: latest(agentKey).id, payload: { version: 4 } },
      });
    });
    const nothing = await alice.post(`${base}/publish?role=detector`);
    expect(nothing.status).toBe(404);
    expect(nothing.body.error.message).toContain(`POST ${base}/entries?role=detector`);
  });

  it('records in each new session the playbook version it starts with', async () => {
    const active = (await alice.get(base)).body.version;
    expect(active).toBeGreaterThan(0);
    const session = await alice.post('/v1/sessions', { agentId });
    expect(session.body.playbook).toEqual({ playbookId: `pbk_${agentId}`, version: active });
    const fresh = await alice.post('/v1/agents', anAgent());
    const none = await alice.post('/v1/sessions', { agentId: fresh.body.id });
    expect(none.body.playbook).toBeNull();
  });

  describe('proposals', () => {
    let agentKey: string;
    let proposalsBase: string;

    /** What the dreamer does: a proposal built on the active version, stored by the writer. */
    async function propose(playbookId: string, title: string, version: number) {
      const repo = gateway.app.get(PlaybookVersionRepository);
      const head = await repo.findActive(aliceTenant, playbookId);
      if (!head) throw new Error(`no active version of ${playbookId} to propose against`);
      const entry = {
        title,
        guidance: `${title}: keep the descent under 2 m/s below 20 m.`,
        rationale: 'Landings that slowed late crashed.',
      };
      const proposal = applyDeltas(head, [{ kind: 'add', entry }], aDream(), new Date(), {
        status: 'proposed',
        version,
        message: `dreamed: ${title}`,
      });
      return gateway.app.get(PlaybookVersionWriter).propose(aliceTenant, proposal);
    }

    beforeAll(async () => {
      const agent = await alice.post('/v1/agents', anAgent());
      proposalsBase = `/v1/agents/${agent.body.id}/playbook`;
      agentKey = `${aliceTenant}/${agent.body.id}`;
      const v1 = await alice.post(`${proposalsBase}/entries`, brakeLow);
      expect(v1.status).toBe(201);
      for (const [n, title] of [
        [2, 'Flare early'],
        [3, 'Flare late'],
        [4, 'Flare never'],
      ] as const)
        await propose(v1.body.playbookId, title, n);
    });

    it('lists the proposals awaiting a decision, and leaves the active version alone', async () => {
      const proposed = await alice.get(`${proposalsBase}/versions?status=proposed`);
      expect(proposed.status).toBe(200);
      expect(
        proposed.body.data.map((v: Json) => [v.version, v.parentVersion, v.status, v.author.kind]),
      ).toEqual([
        [4, 1, 'proposed', 'dream'],
        [3, 1, 'proposed', 'dream'],
        [2, 1, 'proposed', 'dream'],
      ]);
      expect(proposed.body.data[0]).toMatchObject({
        message: 'dreamed: Flare never',
        review: null,
      });
      expect((await alice.get(`${proposalsBase}/versions?status=active`)).body.data).toHaveLength(
        1,
      );
      expect((await alice.get(proposalsBase)).body).toMatchObject({ version: 1, status: 'active' });
      const typo = await alice.get(`${proposalsBase}/versions?status=pending`);
      expect(typo.status).toBe(400);
      expect(typo.body.error.details[0].path).toBe('query.status');
    });

    it('approves a proposal: it becomes the active version, its parent superseded, and it is announced', async () => {
      const approved = await alice.post(`${proposalsBase}/versions/2/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        version: 2,
        parentVersion: 1,
        status: 'active',
        author: { kind: 'dream' },
        review: {
          decision: 'approved',
          by: { kind: 'person', id: expect.stringMatching(/^[a-f0-9]{16}$/) },
          at: expect.any(String),
          reason: null,
        },
        publishedAt: expect.any(String),
        diff: { added: [{ title: 'Flare early' }], removed: [], changed: [] },
      });
      expect(approved.body.entries.map((e: Json) => e.title)).toEqual(['Brake low', 'Flare early']);

      expect((await alice.get(proposalsBase)).body).toMatchObject({ version: 2, status: 'active' });
      const statuses = (await alice.get(`${proposalsBase}/versions`)).body.data.map((v: Json) => [
        v.version,
        v.status,
      ]);
      expect(statuses).toEqual([
        [4, 'proposed'],
        [3, 'proposed'],
        [2, 'active'],
        [1, 'superseded'],
      ]);
      // Proposals are not announced; the approval is, with the approved entries.
      await expectEventually(() => {
        const versions = announced.filter((m) => m.key === agentKey).map((m) => m.value.payload);
        expect(versions.map((p) => p.version)).toEqual([1, 2]);
        expect(versions[1].entries).toEqual(approved.body.entries);
      });
    });

    it('rejects a proposal with a reason kept on it, and will not approve it afterwards', async () => {
      const rejected = await alice.post(`${proposalsBase}/versions/4/reject`, {
        reason: 'never flaring crashes every landing',
      });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({
        version: 4,
        status: 'rejected',
        review: { decision: 'rejected', reason: 'never flaring crashes every landing' },
      });
      expect((await alice.get(`${proposalsBase}/versions/4`)).body.status).toBe('rejected');

      const again = await alice.post(`${proposalsBase}/versions/4/approve`);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({
        type: 'invalid_transition',
        message: expect.stringContaining('version 4 is rejected, not proposed'),
      });
      expect((await alice.post(`${proposalsBase}/versions/4/reject`, {})).status).toBe(409);
    });

    it('will not approve a proposal made against a version that is no longer active', async () => {
      const stale = await alice.post(`${proposalsBase}/versions/3/approve`);
      expect(stale.status).toBe(409);
      expect(stale.body.error).toMatchObject({
        type: 'invalid_transition',
        message: expect.stringMatching(
          /proposed against version 1, but the active version is now 2; reject it and propose/,
        ),
      });
      expect((await alice.get(proposalsBase)).body.version).toBe(2);
      expect((await alice.get(`${proposalsBase}/versions/3`)).body.status).toBe('proposed');
      const active = await alice.post(`${proposalsBase}/versions/2/reject`);
      expect(active.status).toBe(409);
      expect(active.body.error.message).toContain('is active and cannot become rejected');
    });

    it('answers 404, 400 and 422 for a missing version, a bad request or an unsafe reason', async () => {
      const missing = await alice.post(`${proposalsBase}/versions/9/approve`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        type: 'version_not_found',
        message: expect.stringContaining(`GET ${proposalsBase}/versions`),
      });
      expect((await alice.post(`${proposalsBase}/versions/9/reject`)).status).toBe(404);
      expect((await alice.post(`${proposalsBase}/versions/two/approve`)).status).toBe(400);
      const extra = await alice.post(`${proposalsBase}/versions/3/reject`, { why: 'typo' });
      expect(extra.status).toBe(400);
      expect(extra.body.error.type).toBe('invalid_request_error');
      const unsafe = await alice.post(`${proposalsBase}/versions/3/reject`, {
        reason: 'ask jane.doe@acme.io',
      });
      expect(unsafe.status).toBe(422);
      expect(unsafe.body.error).toMatchObject({ type: 'content_rejected' });
      expect((await alice.get(`${proposalsBase}/versions/3`)).body.status).toBe('proposed');
    });

    it("decides a role's proposals with ?role=, and keeps another tenant out", async () => {
      const nav = await alice.post(`${proposalsBase}/entries?role=navigator`, brakeLow);
      await propose(nav.body.playbookId, 'Radar first', 2);
      expect((await alice.post(`${proposalsBase}/versions/2/approve`)).status).toBe(409);
      const approved = await alice.post(`${proposalsBase}/versions/2/approve?role=navigator`);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ role: 'navigator', version: 2, status: 'active' });

      expect((await bob.get(`${proposalsBase}/versions?status=proposed`)).status).toBe(404);
      expect((await bob.post(`${proposalsBase}/versions/3/approve`)).status).toBe(404);
      expect((await bob.post(`${proposalsBase}/versions/3/reject`, {})).status).toBe(404);
      expect((await alice.get(`${proposalsBase}/versions/3`)).body.status).toBe('proposed');
    });
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = await gateway.anonymous.get('/docs-json');
    expect(doc.status).toBe(200);
    const entries = doc.body.paths['/v1/agents/{agentId}/playbook/entries'];
    expect(entries.post.tags).toEqual(['playbooks']);
    expect(entries.post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['title', 'guidance', 'rationale']),
    );
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/agents/{agentId}/playbook',
        '/v1/agents/{agentId}/playbook/versions/{version}',
        '/v1/agents/{agentId}/playbook/rollback',
        '/v1/agents/{agentId}/playbook/publish',
        '/v1/agents/{agentId}/playbook/versions/{version}/approve',
        '/v1/agents/{agentId}/playbook/versions/{version}/reject',
      ]),
    );
    const reject = doc.body.paths['/v1/agents/{agentId}/playbook/versions/{version}/reject'];
    expect(reject.post.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'reason',
    );
  });
});
