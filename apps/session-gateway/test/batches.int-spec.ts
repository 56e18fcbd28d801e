import { readdirSync } from 'node:fs';
import { TOPICS } from '@reverie/contracts';
import { anAgent, CI_BREAKAGES_DIR, expectEventually, type ApiClient } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
// The CLI is an app, not a library: the test drives it the way an operator would.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { main as reverie } from '../../../tools/cli/src/main';
import { expectApiError, startGateway, tapTopic, type RunningGateway } from './gateway.harness';

type Tap = Awaited<ReturnType<typeof tapTopic>>;

// The dataset's case ids: the gateway refuses a task naming any other.
const CASE_IDS = readdirSync(CI_BREAKAGES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
/** `n` tasks on the dataset's cases in turn, from its `from`th. */
const tasks = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ caseId: CASE_IDS[(from + i) % CASE_IDS.length] }));
const shared = { environment: 'ci-log-triage', model: { provider: 'builtin' } };

describe('batches: POST /v1/batches, progress, listing', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let bob: ApiClient;
  let tenantId: string;
  let agentId: string;
  let runCommands: Tap;

  const newAgent = async (
    api: ApiClient,
    model: Record<string, unknown> = { provider: 'builtin' },
  ) => {
    const agent = await api.post('/v1/agents', anAgent({ model }));
    expect(agent.status).toBe(201);
    return agent.body.id as string;
  };

  beforeAll(async () => {
    gateway = await startGateway();
    tenantId = uniqueName('alice');
    [alice, bob] = await Promise.all([gateway.tenant(tenantId), gateway.tenant()]);
    runCommands = await tapTopic(TOPICS.runCommands);
    agentId = await newAgent(alice, { provider: 'builtin', maxTokens: 4_000 });
  });
  afterAll(async () => {
    await runCommands.close();
    await gateway.close();
  });

  it('starts 20 sessions, one run command each, keyed by session over several partitions, and reports progress until done', async () => {
    const created = await alice.post('/v1/batches', {
      agentId,
      title: 'nightly triage',
      run: shared,
      tasks: tasks(20),
    });
    expect(created.status).toBe(201);
    const batch = created.body;
    expect(batch).toMatchObject({
      id: expect.stringMatching(/^bat_/),
      type: 'batch',
      agentId,
      title: 'nightly triage',
      run: shared,
      total: 20,
      counts: { running: 20, completed: 0, failed: 0, canceled: 0 },
      done: false,
      createdAt: expect.any(String),
      has_more: false,
    });
    // In task order, each with its task.
    expect(batch.sessions.map((s: { task: unknown }) => s.task)).toEqual(tasks(20));
    expect(batch.sessions[0]).toEqual({
      id: expect.stringMatching(/^ses_/),
      status: 'running',
      title: CASE_IDS[0],
      task: { caseId: CASE_IDS[0] },
      eventCount: 0,
      endReason: null,
    });
    const ids: string[] = batch.sessions.map((s: { id: string }) => s.id);

    // Each session is a managed session of the batch.
    const one = await alice.get(`/v1/sessions/${ids[3]}`);
    expect(one.body).toMatchObject({
      source: 'managed',
      status: 'running',
      batchId: batch.id,
      title: CASE_IDS[3],
      run: { ...shared, task: { caseId: CASE_IDS[3] } },
    });

    const commands = await expectEventually(() => {
      const mine = runCommands.messages.filter((m) => m.value.payload.batchId === batch.id);
      expect(mine).toHaveLength(20);
      return mine;
    });
    expect(commands.map((c) => c.key).sort()).toEqual([...ids].sort());
    for (const c of commands) {
      expect(c.value).toMatchObject({
        type: 'run.requested',
        tenantId,
        agentId,
        sessionId: c.key,
        payload: {
          batchId: batch.id,
          run: {
            ...shared,
            task: { caseId: expect.any(String) },
          },
          agentModel: { provider: 'builtin', maxTokens: 4_000 },
        },
      });
    }
    const byId = new Map(commands.map((c) => [c.key, c.value.payload.run.task.caseId]));
    expect(ids.map((id) => byId.get(id))).toEqual(tasks(20).map((t) => t.caseId));
    expect(new Set(commands.map((c) => c.partition)).size).toBeGreaterThan(1);

    // The orchestrator's part, simulated: sessions end one way or another.
    const end = (from: number, to: number, status: string) =>
      Promise.all(
        ids.slice(from, to).map(async (id) => {
          const r = await alice.post(`/v1/sessions/${id}/end`, { status });
          expect(r.status).toBe(200);
        }),
      );
    await end(0, 10, 'completed');
    await end(10, 15, 'failed');
    const midway = await alice.get(`/v1/batches/${batch.id}`);
    expect(midway.body).toMatchObject({
      counts: { running: 5, completed: 10, failed: 5, canceled: 0 },
      done: false,
    });
    await end(15, 19, 'canceled');
    expect((await alice.get(`/v1/batches/${batch.id}`)).body.done).toBe(false);
    await end(19, 20, 'completed');
    const finished = await alice.get(`/v1/batches/${batch.id}`);
    expect(finished.body).toMatchObject({
      counts: { running: 0, completed: 11, failed: 5, canceled: 4 },
      done: true,
    });
    expect(finished.body.sessions.map((s: { status: string }) => s.status)).toEqual([
      ...Array(10).fill('completed'),
      ...Array(5).fill('failed'),
      ...Array(4).fill('canceled'),
      'completed',
    ]);

    // Pages of a batch's sessions, in task order.
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const page = await alice.get(
        `/v1/batches/${batch.id}?limit=7${after ? `&after_id=${after}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.counts.completed).toBe(11); // progress is the whole batch's
      seen.push(...page.body.sessions.map((s: { id: string }) => s.id));
      if (!page.body.has_more) break;
      after = page.body.last_id;
    }
    expect(seen).toEqual(ids);

    // Sessions list by batch.
    const listed = await alice.get(`/v1/sessions?batchId=${batch.id}&limit=100`);
    expect(listed.body.data).toHaveLength(20);
    expect(new Set(listed.body.data.map((s: { batchId: string }) => s.batchId))).toEqual(
      new Set([batch.id]),
    );
    expect(
      (await alice.get(`/v1/sessions?batchId=${batch.id}&status=failed`)).body.data,
    ).toHaveLength(5);
  });

  it('lists batches newest first, by agent, paged', async () => {
    const other = await newAgent(alice);
    const first = await alice.post('/v1/batches', { agentId: other, run: shared, tasks: tasks(2) });
    const second = await alice.post('/v1/batches', {
      agentId: other,
      run: shared,
      tasks: tasks(3),
    });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.title).toBeNull();

    const listed = await alice.get(`/v1/batches?agentId=${other}`);
    expect(listed.body).toMatchObject({ has_more: false, last_id: first.body.id });
    expect(listed.body.data.map((b: { id: string }) => b.id)).toEqual([
      second.body.id,
      first.body.id,
    ]);
    expect(listed.body.data[0]).toMatchObject({
      type: 'batch',
      total: 3,
      counts: { running: 3 },
      done: false,
    });
    expect(listed.body.data[0]).not.toHaveProperty('sessions');

    const page1 = await alice.get(`/v1/batches?agentId=${other}&limit=1`);
    expect(page1.body).toMatchObject({ has_more: true, last_id: second.body.id });
    const page2 = await alice.get(
      `/v1/batches?agentId=${other}&limit=1&after_id=${page1.body.last_id}`,
    );
    expect(page2.body.data.map((b: { id: string }) => b.id)).toEqual([first.body.id]);
    expect(page2.body.has_more).toBe(false);

    const all = await alice.get('/v1/batches?limit=100');
    expect(all.body.data.map((b: { id: string }) => b.id)).toEqual(
      expect.arrayContaining([first.body.id, second.body.id]),
    );
  });

  it("keeps one tenant's batches from another", async () => {
    const mine = await alice.post('/v1/batches', {
      agentId,
      run: shared,
      tasks: tasks(2, 7),
    });
    expect(mine.status).toBe(201);
    const id = mine.body.id;

    const read = await bob.get(`/v1/batches/${id}`);
    expect(read.status).toBe(404);
    expect(JSON.stringify(read.body)).not.toContain(CASE_IDS[7]);
    expect((await bob.get('/v1/batches')).body.data).toEqual([]);
    expect((await bob.get(`/v1/batches?agentId=${agentId}`)).body.data).toEqual([]);
    expect((await bob.get(`/v1/sessions?batchId=${id}`)).body.data).toEqual([]);
    const steal = await bob.post('/v1/batches', { agentId, run: shared, tasks: tasks(1) });
    expect(steal.status).toBe(404);

    // Bob's own batch with the same tasks does not count towards Alice's.
    const bobAgent = await newAgent(bob);
    expect(
      (await bob.post('/v1/batches', { agentId: bobAgent, run: shared, tasks: tasks(2, 7) }))
        .status,
    ).toBe(201);
    expect((await alice.get(`/v1/batches/${id}`)).body).toMatchObject({
      total: 2,
      counts: { running: 2 },
    });
  });

  it('cancels what is left of a batch: its running sessions end canceled, once, and only by its tenant', async () => {
    const created = await alice.post('/v1/batches', { agentId, run: shared, tasks: tasks(3, 3) });
    const id = created.body.id;
    const [first, ...rest] = created.body.sessions as { id: string }[];
    // Ended by its client before: it keeps that end.
    const end = await alice.post(`/v1/sessions/${first.id}/end`, {
      status: 'failed',
      reason: 'mine',
    });
    expect(end.status).toBe(200);
    expectApiError(
      await bob.post(`/v1/batches/${id}/cancel`, {}),
      404,
      'not_found_error',
      new RegExp(`batch "${id}" not found`),
    );
    expectApiError(
      await alice.post(`/v1/batches/${id}/cancel`, { why: 'typo' }),
      400,
      'invalid_request_error',
      /why/,
    );
    expect((await alice.get(`/v1/batches/${id}`)).body.counts).toMatchObject({ running: 2 });

    const canceled = await alice.post(`/v1/batches/${id}/cancel`, { reason: 'wrong branch' });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({
      id,
      canceled: 2,
      counts: { running: 0, failed: 1, canceled: 2 },
      done: true,
    });
    // Its sessions, in task order, say how each ended.
    expect(
      canceled.body.sessions.map((s: { status: string; endReason: string }) => [
        s.status,
        s.endReason,
      ]),
    ).toEqual([
      ['failed', 'mine'],
      ['canceled', 'wrong branch'],
      ['canceled', 'wrong branch'],
    ]);
    for (const s of rest)
      expect((await alice.get(`/v1/sessions/${s.id}`)).body).toMatchObject({
        status: 'canceled',
        endReason: 'wrong branch',
      });
    expect((await alice.get(`/v1/sessions/${first.id}`)).body).toMatchObject({
      status: 'failed',
      endReason: 'mine',
    });
    // A repeat (no body) cancels nothing more; so does `reverie batch cancel`.
    const again = await alice.post(`/v1/batches/${id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ canceled: 0, counts: { failed: 1, canceled: 2 } });
    const out: string[] = [];
    const code = await reverie(
      ['batch', 'cancel', id, '--url', alice.baseUrl, '--key', alice.apiKey ?? ''],
      { out: (line) => out.push(line), err: () => undefined },
    );
    expect({ code, out }).toEqual({
      code: 0,
      out: [
        `batch ${id}: 0 running session(s) canceled; of 3: 0 running, 0 completed, 1 failed, 2 canceled`,
      ],
    });
  });

  it('cancels a batch of 1,000 with the longest reason: every session ends canceled with it', async () => {
    const created = await alice.post('/v1/batches', { agentId, run: shared, tasks: tasks(1_000) });
    expect(created.status).toBe(201);
    const reason = 'r'.repeat(2_000);
    const canceled = await alice.post(`/v1/batches/${created.body.id}/cancel`, { reason });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ canceled: 1_000, counts: { canceled: 1_000 } });
    const page = await alice.get(`/v1/batches/${created.body.id}?limit=1000`);
    const sessions = page.body.sessions as { id: string; status: string }[];
    expect(sessions.filter((s) => s.status === 'canceled')).toHaveLength(1_000);
    for (const s of [sessions[0], sessions[499], sessions[999]])
      expect((await alice.get(`/v1/sessions/${s.id}`)).body).toMatchObject({
        status: 'canceled',
        endReason: reason,
      });
  }, 120_000);

  describe('bad input gets a clear 4xx and starts nothing', () => {
    const batchesOf = async (id: string) =>
      (await alice.get(`/v1/batches?agentId=${id}`)).body.data.length;

    it('an unknown agent', async () => {
      expectApiError(
        await alice.post('/v1/batches', { agentId: 'agt_missing', run: shared, tasks: tasks(1) }),
        404,
        'not_found_error',
        /agent "agt_missing" not found; create one with POST \/v1\/agents/,
      );
    });

    it('no tasks, or more than 1,000', async () => {
      const before = await batchesOf(agentId);
      expectApiError(
        await alice.post('/v1/batches', { agentId, run: shared, tasks: [] }),
        400,
        'invalid_request_error',
        /tasks must hold at least one task/,
      );
      expectApiError(
        await alice.post('/v1/batches', { agentId, run: shared }),
        400,
        'invalid_request_error',
        /tasks/,
      );
      expectApiError(
        await alice.post('/v1/batches', { agentId, run: shared, tasks: tasks(1_001) }),
        413,
        'request_too_large',
        /1001 tasks; a batch holds at most 1000, so split it/,
      );
      expect(await batchesOf(agentId)).toBe(before);
    });

    it('a task that does not fit the environment, by its index', async () => {
      const bad = [...tasks(3), {}, { caseId: CASE_IDS[4], logUrl: 'http://x' }];
      const response = await alice.post('/v1/batches', { agentId, run: shared, tasks: bad });
      expectApiError(
        response,
        400,
        'invalid_request_error',
        /^invalid batch: tasks\[3\]\.caseId is required/,
      );
      expect(response.body.error.details?.map((d: { path: string }) => d.path)).toEqual([
        'tasks[3].caseId',
        'tasks[4]',
      ]);
      expectApiError(
        await alice.post('/v1/batches', { agentId, run: shared, tasks: ['assertj_1944'] }),
        400,
        'invalid_request_error',
        /tasks\[0\]/,
      );
    });

    it('a task naming no case of the dataset, by its index, before anything is stored', async () => {
      const before = await batchesOf(agentId);
      const bad = [...tasks(1), { caseId: 'constructor' }, { caseId: '..' }];
      const response = await alice.post('/v1/batches', { agentId, run: shared, tasks: bad });
      expectApiError(
        response,
        400,
        'invalid_request_error',
        /^invalid batch: tasks\[1\]\.caseId no case "constructor" in the ci-log-triage dataset/,
      );
      expect(response.body.error.details?.map((d: { path: string }) => d.path)).toEqual([
        'tasks[1].caseId',
        'tasks[2].caseId',
      ]);
      expect(JSON.stringify(response.body)).not.toContain(gateway.config.datasetsDir);
      expect(await batchesOf(agentId)).toBe(before);
    });

    it('a bad run block, a stray field, bad paging', async () => {
      const paths = async (body: unknown) =>
        ((await alice.post('/v1/batches', body)).body.error.details ?? []).map(
          (d: { path: string }) => d.path,
        );
      expect(await paths({ agentId, run: { environment: 'chess' }, tasks: tasks(1) })).toEqual([
        'run.environment',
      ]);
      expect(
        await paths({ agentId, run: { ...shared, task: { caseId: 'x' } }, tasks: tasks(1) }),
      ).toEqual(['run']);
      expect(await paths({ agentId, run: shared, tasks: tasks(1), priority: 'high' })).toEqual([
        '(body)',
      ]);
      expectApiError(
        await alice.get('/v1/batches?limit=0'),
        400,
        'invalid_request_error',
        /query\.limit/,
      );
      expectApiError(
        await alice.get('/v1/batches/bat_missing'),
        404,
        'not_found_error',
        /batch "bat_missing" not found/,
      );
      expectApiError(
        await alice.get('/v1/batches/bat_missing?limit=5000'),
        400,
        'invalid_request_error',
        /query\.limit/,
      );
    });
  });
});
