import { TOPICS } from '@reverie/contracts';
import { OutcomeRepository, type OutcomeRecord } from '@reverie/outcomes-data-access';
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

/**
 * Outcomes (stored here through the grader's repository; the real grader is tested elsewhere) and
 * regrade requests over HTTP against the real gateway. Definitions: outcome-definitions.int-spec.ts.
 */
describe('outcomes over HTTP', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let bob: ApiClient;
  let commands: Tap;
  const aliceTenant = uniqueName('alice');
  let agentId: string;
  /** Alice's sessions: two ended (completed, then failed) and one still running. */
  let completed: string;
  let failed: string;
  let running: string;
  /** The request ids of every regrade that was accepted. */
  const accepted = new Set<string>();

  const aliceCommands = () =>
    commands.messages.filter((m: TappedMessage) => m.value?.tenantId === aliceTenant);

  async function aSession(end?: 'completed' | 'failed'): Promise<string> {
    const created = await alice.post('/v1/sessions', { agentId });
    expect(created.status).toBe(201);
    if (end)
      expect(
        (await alice.post(`/v1/sessions/${created.body.id}/end`, { status: end })).status,
      ).toBe(200);
    return created.body.id;
  }

  beforeAll(async () => {
    gateway = await startGateway();
    [alice, bob] = await Promise.all([gateway.tenant(aliceTenant), gateway.tenant()]);
    commands = await tapTopic(TOPICS.outcomeCommands);
    agentId = (await alice.post('/v1/agents', anAgent())).body.id;
    completed = await aSession('completed');
    failed = await aSession('failed');
    running = await aSession();
  });
  afterAll(async () => {
    await commands?.close();
    await gateway?.close();
  });

  describe('outcomes the grader stored', () => {
    const T0 = Date.parse('2025-03-01T00:00:00.000Z');
    const anOutcome = (sessionId: string, o: Partial<OutcomeRecord>): OutcomeRecord => ({
      _id: uniqueName('out'),
      tenantId: aliceTenant,
      agentId,
      sessionId,
      iteration: 1,
      definitionVersion: 1,
      maxIterations: 3,
      result: 'needs_revision',
      score: 0.4,
      criteria: [],
      failedCriteria: ['safe'],
      summary: 'safe: the lander crashed',
      judgeUsage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      signals: [],
      regrade: false,
      gradedAt: new Date(T0),
      ...o,
    });
    let first: OutcomeRecord;
    let second: OutcomeRecord;
    let other: OutcomeRecord;

    beforeAll(async () => {
      const repo = gateway.app.get(OutcomeRepository);
      first = anOutcome(completed, { gradedAt: new Date(T0 + 1_000) });
      second = anOutcome(completed, {
        iteration: 2,
        result: 'satisfied',
        score: 0.9,
        failedCriteria: [],
        gradedAt: new Date(T0 + 2_000),
      });
      other = anOutcome(failed, { result: 'failed', score: 0, gradedAt: new Date(T0 + 3_000) });
      for (const o of [second, first, other]) await repo.record(o);
    });

    it("shows a session's latest outcome with its history", async () => {
      const res = await alice.get(`/v1/sessions/${completed}/outcome`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        type: 'outcome',
        outcomeId: second._id,
        agentId,
        sessionId: completed,
        iteration: 2,
        definitionVersion: 1,
        maxIterations: 3,
        result: 'satisfied',
        score: 0.9,
        criteria: [],
        failedCriteria: [],
        summary: second.summary,
        judgeUsage: second.judgeUsage,
        signals: [],
        regrade: false,
        gradedAt: second.gradedAt.toISOString(),
        history: [first, second].map((o) => ({
          outcomeId: o._id,
          iteration: o.iteration,
          result: o.result,
          score: o.score,
          gradedAt: o.gradedAt.toISOString(),
        })),
      });
      expect(res.body).not.toHaveProperty('tenantId');
    });

    it('answers 404 for a session that is unknown, not graded yet, or not this tenant’s', async () => {
      expectApiError(
        await alice.get('/v1/sessions/ses_nope/outcome'),
        404,
        'not_found_error',
        /^session "ses_nope" not found$/,
      );
      expectApiError(
        await alice.get(`/v1/sessions/${running}/outcome`),
        404,
        'not_found_error',
        new RegExp(`^session "${running}" has not been graded yet$`),
      );
      expectApiError(
        await bob.get(`/v1/sessions/${completed}/outcome`),
        404,
        'not_found_error',
        /not found/,
      );
    });

    it('lists outcomes newest graded first, filtered by result and agent, paged', async () => {
      const all = await alice.get('/v1/outcomes?limit=2');
      expect(all.body.data.map((o: Json) => o.outcomeId)).toEqual([other._id, second._id]);
      expect(all.body).toMatchObject({ has_more: true, last_id: second._id });
      const next = await alice.get(`/v1/outcomes?limit=2&after_id=${all.body.last_id}`);
      expect(next.body).toMatchObject({ has_more: false, last_id: first._id });
      expect(next.body.data.map((o: Json) => o.outcomeId)).toEqual([first._id]);

      const satisfied = await alice.get('/v1/outcomes?result=satisfied');
      expect(satisfied.body.data).toEqual([
        expect.objectContaining({ outcomeId: second._id, type: 'outcome' }),
      ]);
      expect((await alice.get(`/v1/outcomes?agentId=${agentId}`)).body.data).toHaveLength(3);
      expect((await alice.get('/v1/outcomes?agentId=agt_other')).body).toEqual({
        data: [],
        has_more: false,
        last_id: null,
      });
      expect((await bob.get('/v1/outcomes')).body.data).toEqual([]);

      expectApiError(
        await alice.get('/v1/outcomes?result=great'),
        400,
        'invalid_request_error',
        /query.result must be one of satisfied, needs_revision, max_iterations_reached, failed/,
      );
      expectApiError(
        await alice.get('/v1/outcomes?after_id=out_nope'),
        400,
        'invalid_request_error',
        /query.after_id/,
      );
    });
  });

  describe('POST /v1/outcomes/regrade', () => {
    it('refuses unknown, running and malformed requests and sends nothing for them', async () => {
      const unknown = await alice.post('/v1/outcomes/regrade', {
        sessionIds: [completed, 'ses_nope', 'ses_gone'],
      });
      expectApiError(
        unknown,
        404,
        'not_found_error',
        /2 of the sessions were not found: ses_nope, ses_gone/,
      );
      expect(unknown.body.error.details).toEqual([
        { path: 'sessionIds[1]', message: 'session "ses_nope" not found' },
        { path: 'sessionIds[2]', message: 'session "ses_gone" not found' },
      ]);
      // Another tenant's session is unknown here.
      expectApiError(
        await bob.post('/v1/outcomes/regrade', { sessionIds: [completed] }),
        404,
        'not_found_error',
        /not found/,
      );
      expectApiError(
        await alice.post('/v1/outcomes/regrade', { sessionIds: [running] }),
        409,
        'conflict_error',
        /still running/,
      );
      const bad = (body: Json) => alice.post('/v1/outcomes/regrade', body);
      expectApiError(
        await bad({}),
        400,
        'invalid_request_error',
        /exactly one of sessionIds .* or agentId/,
      );
      expectApiError(
        await bad({ sessionIds: [completed], agentId }),
        400,
        'invalid_request_error',
        /exactly one of/,
      );
      expectApiError(await bad({ sessionIds: [] }), 400, 'invalid_request_error', /sessionIds/);
      expectApiError(
        await bad({ sessionIds: [completed], limit: 5 }),
        400,
        'invalid_request_error',
        /limit goes only with agentId/,
      );
      expectApiError(await bad({ agentId, limit: 0 }), 400, 'invalid_request_error', /limit/);
      expectApiError(await bad({ agentId, reason: 'x' }), 400, 'invalid_request_error', /reason/);
      expectApiError(
        await bad({ agentId: 'agt_nope' }),
        404,
        'not_found_error',
        /agent "agt_nope" not found/,
      );
    });

    it('sends one command per named session, each once, with the request id', async () => {
      const res = await alice.post('/v1/outcomes/regrade', {
        sessionIds: [failed, completed, failed],
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        type: 'regrade',
        requestId: expect.stringMatching(/^rgr_/),
        sessionIds: [failed, completed],
      });
      accepted.add(res.body.requestId);
      const sent = await expectEventually(() => {
        const mine = aliceCommands().filter(
          (m) => m.value.payload.requestId === res.body.requestId,
        );
        expect(mine).toHaveLength(2);
        return mine;
      });
      expect(sent.map((m) => m.key).sort()).toEqual([completed, failed].sort());
      for (const m of sent)
        expect(m.value).toMatchObject({
          type: 'outcome.regrade_requested',
          tenantId: aliceTenant,
          agentId,
          sessionId: m.key,
          schemaVersion: 1,
          payload: { requestId: res.body.requestId },
        });
    });

    it("sends commands for an agent's most recent ended sessions", async () => {
      const all = await alice.post('/v1/outcomes/regrade', { agentId });
      expect(all.status).toBe(202);
      expect(all.body.sessionIds).toEqual([failed, completed]);
      const one = await alice.post('/v1/outcomes/regrade', { agentId, limit: 1 });
      expect(one.body.sessionIds).toEqual([failed]);
      accepted.add(all.body.requestId).add(one.body.requestId);

      // Every command on the topic for this tenant came from an accepted request: 2 + 2 + 1.
      await expectEventually(() => expect(aliceCommands()).toHaveLength(5));
      const byRequest = (id: string) =>
        aliceCommands().filter((m) => m.value.payload.requestId === id);
      expect(
        byRequest(all.body.requestId)
          .map((m) => m.key)
          .sort(),
      ).toEqual([completed, failed].sort());
      expect(byRequest(one.body.requestId).map((m) => m.key)).toEqual([failed]);
      expect(aliceCommands().every((m) => accepted.has(m.value.payload.requestId))).toBe(true);
    });
  });
});
