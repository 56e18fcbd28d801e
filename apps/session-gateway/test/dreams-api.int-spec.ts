import { TOPICS } from '@reverie/contracts';
import { DreamRepository } from '@reverie/dreaming-data-access';
import { EventPublisher } from '@reverie/kafka';
import { createApiKey } from '@reverie/sessions-feature';
import { anAgent, expectEventually, type ApiClient, type Json } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
import {
  expectApiError,
  startGateway,
  tapTopic,
  type RunningGateway,
  type TappedMessage,
} from './gateway.harness';

type Tap = Awaited<ReturnType<typeof tapTopic>>;

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const DREAMER = 'test-dreamer';
const LEASE_MS = 60_000;

/** A finished dream's report in the dreaming domain's DreamReport shape (written here, as the dreamer would). */
const aReport = (dreamId: string, agentId: string) => ({
  dreamId,
  agentId,
  environment: 'lunar-lander',
  status: 'completed',
  sessionsReviewed: 12,
  failedSessions: 3,
  patterns: [],
  localisations: [],
  changes: [],
  validation: null,
  publication: {
    mode: 'propose',
    playbooks: [{ role: 'navigator', version: 2, status: 'proposed' }],
  },
  stages: [],
  usage: {
    input_tokens: 1_200,
    output_tokens: 340,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  },
  simulations: 40,
  notes: ['one rule proposed'],
  createdAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:05:00.000Z',
});

/**
 * The dreams API against the real gateway, Kafka and MongoDB. No dreamer runs: where a dream
 * must run, this test plays the dreamer through its repository (claim, heartbeat, finish).
 */
describe('dreams over HTTP', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let aliceKey: string;
  let bob: ApiClient;
  let commands: Tap;
  let repo: DreamRepository;
  const aliceTenant = uniqueName('alice');

  const anAgentOf = async (api: ApiClient, overrides: Json = {}): Promise<string> => {
    const created = await api.post('/v1/agents', anAgent(overrides));
    expect(created.status).toBe(201);
    return created.body.id;
  };
  const aDream = async (body: Json) => {
    const res = await alice.post('/v1/dreams', body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const requestsFor = (dreamId: string) =>
    commands.messages.filter((m: TappedMessage) => m.value?.payload?.dreamId === dreamId);
  /** What a client downloading the report gets, headers included. */
  const download = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${alice.baseUrl}${path}`, { headers: { 'x-api-key': aliceKey, ...headers } });

  beforeAll(async () => {
    gateway = await startGateway();
    aliceKey = (await createApiKey(gateway.config.mongo, aliceTenant, 'test')).token;
    alice = gateway.anonymous.withKey(aliceKey);
    bob = await gateway.tenant();
    commands = await tapTopic(TOPICS.dreamCommands);
    repo = gateway.app.get(DreamRepository);
  });
  afterAll(async () => {
    await commands?.close();
    await gateway?.close();
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = await gateway.anonymous.get('/docs-json');
    expect(doc.status).toBe(200);
    const create = doc.body.paths['/v1/dreams'].post;
    expect(create.tags).toEqual(['dreams']);
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['agent_id']);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/dreams/{id}',
        '/v1/dreams/{id}/cancel',
        '/v1/dreams/{id}/archive',
        '/v1/dreams/{id}/report',
      ]),
    );
  });

  describe('creating', () => {
    it('stores a pending dream, asks the dreamer to run it, and refuses a second one for the agent', async () => {
      const agentId = await anAgentOf(alice, {
        dreaming: { enabled: true, frequency: 'daily', publish: 'apply' },
      });
      const res = await alice.post('/v1/dreams', {
        agent_id: agentId,
        inputs: [{ type: 'sessions', session_ids: ['ses_1', 'ses_2'] }],
        instructions: 'focus on hard landings',
        model: { provider: 'anthropic', model: 'claude-sonnet-4-5', max_tokens: 2048 },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        type: 'dream',
        id: expect.stringMatching(/^drm_[0-9a-f]{32}$/),
        agent_id: agentId,
        status: 'pending',
        inputs: [{ type: 'sessions', session_ids: ['ses_1', 'ses_2'] }],
        outputs: [],
        model: { provider: 'anthropic', model: 'claude-sonnet-4-5', max_tokens: 2048 },
        instructions: 'focus on hard landings',
        publish: 'apply',
        trigger: 'api',
        stage: null,
        progress: null,
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
        simulations: 0,
        environment: null,
        sessions_reviewed: 0,
        error: null,
        attempts: 0,
        cancel_requested_at: null,
        created_at: ISO,
        started_at: null,
        ended_at: null,
        archived_at: null,
      });
      const id = res.body.id;
      expect(await repo.findById(aliceTenant, id)).toMatchObject({
        tenantId: aliceTenant,
        input: { type: 'sessions', sessionIds: ['ses_1', 'ses_2'] },
        model: { provider: 'anthropic', model: 'claude-sonnet-4-5', maxTokens: 2048 },
      });

      await expectEventually(() => expect(requestsFor(id)).toHaveLength(1));
      const [request] = requestsFor(id);
      expect(request.key).toBe(agentId);
      expect(request.headers['reverie-type']).toBe('dream.requested');
      expect(request.value).toMatchObject({
        type: 'dream.requested',
        tenantId: aliceTenant,
        agentId,
        schemaVersion: 1,
        payload: { dreamId: id },
      });

      const again = await alice.post('/v1/dreams', { agent_id: agentId });
      expectApiError(
        again,
        409,
        'conflict_error',
        new RegExp(
          `already has an unfinished dream ${id} \\(status pending, not started yet\\).*cancel it with POST /v1/dreams/${id}/cancel`,
        ),
      );
      expect((await alice.get(`/v1/dreams?agent_id=${agentId}`)).body.data).toHaveLength(1);
    });

    it("defaults to the sessions since the last dream, the builtin model and the agent's publish setting", async () => {
      const agentId = await anAgentOf(alice);
      expect(await aDream({ agent_id: agentId })).toMatchObject({
        inputs: [{ type: 'sessions_since_last_dream', max_sessions: 200 }],
        model: { provider: 'builtin' },
        instructions: '',
        publish: 'propose',
      });
      const other = await anAgentOf(alice);
      expect(await aDream({ agent_id: other, max_sessions: 50 })).toMatchObject({
        inputs: [{ type: 'sessions_since_last_dream', max_sessions: 50 }],
      });
      // An agent's dreaming model and instructions stand in for those the request leaves out.
      const withModel = await anAgentOf(alice, {
        dreaming: {
          model: { provider: 'anthropic', model: 'claude-haiku-4-5', maxTokens: 1024 },
          instructions: 'prefer small changes',
        },
      });
      expect(await aDream({ agent_id: withModel })).toMatchObject({
        model: { provider: 'anthropic', model: 'claude-haiku-4-5', max_tokens: 1024 },
        instructions: 'prefer small changes',
      });
    });

    it('still answers 201 when the request cannot be sent: the dreamer sweep picks the dream up', async () => {
      const agentId = await anAgentOf(alice);
      const publish = jest
        .spyOn(gateway.app.get(EventPublisher), 'publish')
        .mockRejectedValueOnce(new Error('KafkaJS: broker unavailable'));
      try {
        const dream = await aDream({ agent_id: agentId });
        expect(publish).toHaveBeenCalledTimes(1);
        expect(dream.status).toBe('pending');
        expect(await repo.findById(aliceTenant, dream.id)).toMatchObject({ status: 'pending' });
        // The agent's lock is held as for any other dream.
        expect((await alice.post('/v1/dreams', { agent_id: agentId })).status).toBe(409);
      } finally {
        publish.mockRestore();
      }
    });

    it('refuses a bad body with every problem at its path, and sends nothing', async () => {
      const agentId = await anAgentOf(alice);
      const bad = (body: Json) => alice.post('/v1/dreams', body);

      const unknown = await bad({ agent_id: agentId, memory_store_id: 'mem_1' });
      expectApiError(unknown, 400, 'invalid_request_error', /memory_store_id/);
      expect(unknown.body.error.details).toEqual([
        { path: '(body)', message: expect.stringContaining('memory_store_id') },
      ]);

      const both = await bad({
        agent_id: agentId,
        inputs: [{ type: 'sessions', session_ids: ['ses_1'] }],
        max_sessions: 10,
      });
      expectApiError(both, 400, 'invalid_request_error', /max_sessions goes only without inputs/);
      expect(both.body.error.details.map((d: Json) => d.path)).toEqual(['max_sessions']);

      const tooMany = await bad({
        agent_id: agentId,
        inputs: [
          { type: 'sessions', session_ids: Array.from({ length: 1_001 }, (_, i) => `ses_${i}`) },
        ],
      });
      expectApiError(tooMany, 400, 'invalid_request_error', /inputs\[0\]\.session_ids/);
      expect(tooMany.body.error.details.map((d: Json) => d.path)).toEqual([
        'inputs[0].session_ids',
      ]);

      expectApiError(
        await bad({ agent_id: agentId, model: { provider: 'openai' } }),
        400,
        'invalid_request_error',
        /model\.provider/,
      );
      expectApiError(
        await bad({ agent_id: agentId, instructions: 'x'.repeat(4_097) }),
        400,
        'invalid_request_error',
        /instructions/,
      );
      expectApiError(await bad({}), 400, 'invalid_request_error', /agent_id/);
      // None of them stored a dream: the agent can still dream.
      expect((await alice.get(`/v1/dreams?agent_id=${agentId}`)).body.data).toEqual([]);
      await aDream({ agent_id: agentId });
    });

    it("answers 404 for an unknown agent or another tenant's", async () => {
      expectApiError(
        await alice.post('/v1/dreams', { agent_id: 'agt_nope' }),
        404,
        'not_found_error',
        /^agent "agt_nope" not found; create one with POST \/v1\/agents$/,
      );
      const bobsAgent = await anAgentOf(bob);
      expectApiError(
        await alice.post('/v1/dreams', { agent_id: bobsAgent }),
        404,
        'not_found_error',
        /not found/,
      );
    });
  });

  describe('reading', () => {
    const dreams: Json[] = [];
    let agentA: string;
    let agentB: string;

    beforeAll(async () => {
      agentA = await anAgentOf(alice);
      agentB = await anAgentOf(alice);
      // Oldest first: A's, B's, then A's second once its first was canceled.
      dreams.push(await aDream({ agent_id: agentA }));
      dreams.push(await aDream({ agent_id: agentB }));
      expect((await alice.post(`/v1/dreams/${dreams[0].id}/cancel`)).status).toBe(200);
      dreams.push(await aDream({ agent_id: agentA }));
    });

    it('reads a dream by id, not another tenant’s', async () => {
      const [first] = dreams;
      const res = await alice.get(`/v1/dreams/${first.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ type: 'dream', id: first.id, status: 'canceled' });
      expectApiError(
        await alice.get('/v1/dreams/drm_nope'),
        404,
        'not_found_error',
        /^dream "drm_nope" not found/,
      );
      expectApiError(await bob.get(`/v1/dreams/${first.id}`), 404, 'not_found_error', /not found/);
    });

    it('lists dreams newest first, filtered and paged', async () => {
      const ids = (res: { body: Json }) => res.body.data.map((d: Json) => d.id);
      const [a1, b1, a2] = dreams.map((d) => d.id);
      const since = `created_after=${encodeURIComponent(dreams[0].created_at)}`;

      expect(ids(await alice.get(`/v1/dreams?${since}`))).toEqual([a2, b1, a1]);
      expect(ids(await alice.get(`/v1/dreams?agent_id=${agentA}`))).toEqual([a2, a1]);
      expect(ids(await alice.get(`/v1/dreams?agent_id=${agentA}&status=pending`))).toEqual([a2]);
      expect(ids(await alice.get(`/v1/dreams?${since}&status=canceled`))).toEqual([a1]);
      const before = `created_before=${encodeURIComponent(dreams[2].created_at)}`;
      expect(ids(await alice.get(`/v1/dreams?${since}&${before}`))).toEqual([b1, a1]);

      const page1 = await alice.get(`/v1/dreams?${since}&limit=2`);
      expect(page1.body).toMatchObject({ has_more: true, last_id: b1 });
      expect(ids(page1)).toEqual([a2, b1]);
      const page2 = await alice.get(`/v1/dreams?${since}&limit=2&after_id=${page1.body.last_id}`);
      expect(page2.body).toEqual({
        data: [expect.objectContaining({ id: a1 })],
        has_more: false,
        last_id: a1,
      });

      expect((await alice.get('/v1/dreams?agent_id=agt_other')).body).toEqual({
        data: [],
        has_more: false,
        last_id: null,
      });
      expect((await bob.get(`/v1/dreams?agent_id=${agentA}`)).body.data).toEqual([]);
    });

    it('refuses a bad query', async () => {
      expectApiError(
        await alice.get('/v1/dreams?status=done'),
        400,
        'invalid_request_error',
        /query\.status must be one of pending, running, completed, failed, canceled/,
      );
      expectApiError(
        await alice.get('/v1/dreams?limit=101'),
        400,
        'invalid_request_error',
        /query\.limit/,
      );
      expectApiError(
        await alice.get('/v1/dreams?created_after=yesterday'),
        400,
        'invalid_request_error',
        /query\.created_after/,
      );
      expectApiError(
        await alice.get('/v1/dreams?include_archived=yes'),
        400,
        'invalid_request_error',
        /query\.include_archived must be true or false/,
      );
      expectApiError(
        await alice.get('/v1/dreams?after_id=drm_nope'),
        400,
        'invalid_request_error',
        /after_id "drm_nope" names no dream/,
      );
    });
  });

  describe('canceling and archiving', () => {
    it('cancels a pending dream at once and frees the agent for the next one', async () => {
      const agentId = await anAgentOf(alice);
      const dream = await aDream({ agent_id: agentId });
      const canceled = await alice.post(`/v1/dreams/${dream.id}/cancel`);
      expect(canceled.status).toBe(200);
      expect(canceled.body).toMatchObject({
        id: dream.id,
        status: 'canceled',
        cancel_requested_at: ISO,
        ended_at: ISO,
        archived_at: null,
      });
      expectApiError(
        await alice.post(`/v1/dreams/${dream.id}/cancel`),
        409,
        'conflict_error',
        new RegExp(`^dream ${dream.id} already ended with status canceled`),
      );
      // The lock went with it.
      expect((await aDream({ agent_id: agentId })).status).toBe('pending');
    });

    it('asks a running dream to stop: it stays running until the dreamer stops it', async () => {
      const agentId = await anAgentOf(alice);
      const dream = await aDream({ agent_id: agentId });
      expect(await repo.claim(dream.id, DREAMER, LEASE_MS)).toMatchObject({ status: 'running' });
      await repo.heartbeat(dream.id, DREAMER, LEASE_MS, { stage: 'localise' });

      const res = await alice.post(`/v1/dreams/${dream.id}/cancel`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'running',
        stage: 'localise',
        cancel_requested_at: ISO,
        ended_at: null,
        started_at: ISO,
        attempts: 1,
      });
      // Asking twice changes nothing.
      const again = await alice.post(`/v1/dreams/${dream.id}/cancel`);
      expect(again.body.cancel_requested_at).toBe(res.body.cancel_requested_at);
      expectApiError(
        await alice.post('/v1/dreams', { agent_id: agentId }),
        409,
        'conflict_error',
        new RegExp(`${dream.id} \\(status running, stage localise, cancel requested\\)`),
      );
      expectApiError(
        await alice.post(`/v1/dreams/${dream.id}/archive`),
        409,
        'conflict_error',
        /is running; only an ended dream can be archived: cancel it first .* or wait for it to end/,
      );
      expectApiError(
        await alice.get(`/v1/dreams/${dream.id}/report`),
        409,
        'conflict_error',
        new RegExp(`^dream ${dream.id} has no report yet \\(status running, stage localise`),
      );

      // The dreamer sees the request at its next stage boundary and stops.
      expect(await repo.heartbeat(dream.id, DREAMER, LEASE_MS)).toEqual({
        held: true,
        cancelRequested: true,
      });
      expect(await repo.finish(dream.id, DREAMER, { status: 'canceled' })).toBe(true);
      expect((await alice.get(`/v1/dreams/${dream.id}`)).body).toMatchObject({
        status: 'canceled',
        ended_at: ISO,
      });
      expectApiError(
        await alice.get(`/v1/dreams/${dream.id}/report`),
        409,
        'conflict_error',
        /ended with status canceled without writing a report/,
      );
    });

    it("counts what a run that lost the dream's lease spent after its last heartbeat in the dream's usage and the day's budget", async () => {
      const agentId = await anAgentOf(alice);
      const dream = await aDream({ agent_id: agentId });
      const tokens = (input_tokens: number, output_tokens: number) => ({
        input_tokens,
        output_tokens,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      });
      // The first run recorded 100 + 20 tokens and 5 simulations, then stalled past its lease.
      await repo.claim(dream.id, 'replica-1', 1);
      await repo.heartbeat(dream.id, 'replica-1', 1, { usage: tokens(100, 20), simulations: 5 });
      await new Promise((r) => setTimeout(r, 10));
      // Another replica took it over, carrying what the first run recorded.
      expect(await repo.claim(dream.id, DREAMER, LEASE_MS)).toMatchObject({ attempts: 2 });
      // The first run wakes up: its heartbeat is refused, and it adds what it spent since (twice,
      // as two stalled runs would).
      expect(await repo.heartbeat(dream.id, 'replica-1', LEASE_MS)).toMatchObject({ held: false });
      await repo.recordStranded(dream.id, { usage: tokens(300, 40), simulations: 2 });
      await repo.recordStranded(dream.id, { usage: tokens(1, 1), simulations: 1 });
      // The holder's own writes replace `usage` and leave the stranded counters alone.
      await repo.heartbeat(dream.id, DREAMER, LEASE_MS, { usage: tokens(150, 30), simulations: 9 });
      expect(
        await repo.finish(dream.id, DREAMER, { status: 'completed', usage: tokens(160, 30) }),
      ).toBe(true);

      expect((await alice.get(`/v1/dreams/${dream.id}`)).body).toMatchObject({
        status: 'completed',
        usage: tokens(461, 71),
        simulations: 12,
      });
      expect(await repo.tokensSince(aliceTenant, agentId, new Date(0))).toBe(532);
    });

    it('archives only ended dreams, hiding them from the default list', async () => {
      const agentId = await anAgentOf(alice);
      const dream = await aDream({ agent_id: agentId });
      expectApiError(
        await alice.post(`/v1/dreams/${dream.id}/archive`),
        409,
        'conflict_error',
        new RegExp(
          `^dream ${dream.id} is pending; .*cancel it first with POST /v1/dreams/${dream.id}/cancel or wait`,
        ),
      );
      await alice.post(`/v1/dreams/${dream.id}/cancel`);
      const archived = await alice.post(`/v1/dreams/${dream.id}/archive`);
      expect(archived.status).toBe(200);
      expect(archived.body).toMatchObject({ id: dream.id, status: 'canceled', archived_at: ISO });
      // Again: unchanged.
      expect((await alice.post(`/v1/dreams/${dream.id}/archive`)).body.archived_at).toBe(
        archived.body.archived_at,
      );

      const listed = (query: string) =>
        alice
          .get(`/v1/dreams?agent_id=${agentId}${query}`)
          .then((r) => r.body.data.map((d: Json) => d.id));
      expect(await listed('')).toEqual([]);
      expect(await listed('&include_archived=false')).toEqual([]);
      expect(await listed('&include_archived=true')).toEqual([dream.id]);
      expect((await alice.get(`/v1/dreams/${dream.id}`)).body.archived_at).toBe(
        archived.body.archived_at,
      );
    });

    it("answers 404 for an unknown dream or another tenant's, and changes nothing", async () => {
      const agentId = await anAgentOf(alice);
      const dream = await aDream({ agent_id: agentId });
      for (const [method, path] of [
        ['POST', 'cancel'],
        ['POST', 'archive'],
        ['GET', 'report'],
      ]) {
        expectApiError(
          await alice.request(
            method,
            `/v1/dreams/drm_nope/${path}`,
            method === 'POST' ? {} : undefined,
          ),
          404,
          'not_found_error',
          /^dream "drm_nope" not found/,
        );
        expectApiError(
          await bob.request(
            method,
            `/v1/dreams/${dream.id}/${path}`,
            method === 'POST' ? {} : undefined,
          ),
          404,
          'not_found_error',
          /not found/,
        );
      }
      expect((await alice.get(`/v1/dreams/${dream.id}`)).body).toMatchObject({
        status: 'pending',
        cancel_requested_at: null,
      });
    });
  });

  describe('a finished dream', () => {
    let agentId: string;
    let dream: Json;

    beforeAll(async () => {
      agentId = await anAgentOf(alice);
      dream = await aDream({ agent_id: agentId });
      await repo.claim(dream.id, DREAMER, LEASE_MS);
      await repo.heartbeat(dream.id, DREAMER, LEASE_MS, {
        stage: 'validate',
        progress: { stage: 'validate', completed: 3, total: 9, message: 'held-out scenarios' },
      });
    });

    it('shows its progress while it runs', async () => {
      expect((await alice.get(`/v1/dreams/${dream.id}`)).body).toMatchObject({
        status: 'running',
        stage: 'validate',
        progress: { stage: 'validate', completed: 3, total: 9, message: 'held-out scenarios' },
      });
    });

    it('shows what it made and serves its report as JSON or Markdown', async () => {
      const report = aReport(dream.id, agentId);
      await repo.finish(dream.id, DREAMER, {
        status: 'completed',
        report,
        outputs: [{ role: 'navigator', version: 2, status: 'proposed' }],
        usage: report.usage,
        simulations: 40,
        environment: 'lunar-lander',
        sessionsReviewed: 12,
      });
      expect((await alice.get(`/v1/dreams/${dream.id}`)).body).toMatchObject({
        status: 'completed',
        progress: null,
        outputs: [{ type: 'playbook', role: 'navigator', version: 2, status: 'proposed' }],
        usage: report.usage,
        simulations: 40,
        environment: 'lunar-lander',
        sessions_reviewed: 12,
        error: null,
        ended_at: ISO,
      });

      const json = await alice.get(`/v1/dreams/${dream.id}/report`);
      expect(json.status).toBe(200);
      expect(json.body).toEqual({ type: 'dream_report', dream_id: dream.id, report });

      for (const asked of [
        download(`/v1/dreams/${dream.id}/report?format=markdown`),
        download(`/v1/dreams/${dream.id}/report`, { accept: 'text/markdown' }),
      ]) {
        const res = await asked;
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
        expect(res.headers.get('content-disposition')).toBe(
          `attachment; filename="${dream.id}-report.md"`,
        );
        const markdown = await res.text();
        expect(markdown).toMatch(new RegExp(`^# Dream ${dream.id}: completed`));
        expect(markdown).toContain('12 sessions reviewed');
      }
      // `format` wins over Accept.
      const explicit = await download(`/v1/dreams/${dream.id}/report?format=json`, {
        accept: 'text/markdown',
      });
      expect(explicit.headers.get('content-type')).toMatch(/^application\/json/);

      expectApiError(
        await alice.get(`/v1/dreams/${dream.id}/report?format=pdf`),
        400,
        'invalid_request_error',
        /query\.format must be json or markdown/,
      );
    });
  });
});
