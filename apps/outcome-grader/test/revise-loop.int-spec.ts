import { loadCase, type LineRange } from '@reverie/ci-log-triage';
import { anAgent, CI_BREAKAGES_DIR, expectEventually, type ApiClient } from '@reverie/testing';
import { MessagesServer, toolUseReply } from '@reverie/testing/anthropic';
import { uniqueName } from '@reverie/testing/integration';
// The real gateway and orchestrator run what the grader grades (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  readAllEvents,
  startGateway,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  dropDatabase,
  orchestratorEnv,
  startOrchestrator,
  type RunningOrchestrator,
} from '../../orchestrator/test/orchestrator.harness';
import { startGrader, type RunningGrader } from './grader.harness';

// Sessions, events and outcomes as the API returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const CASE = 'assertj_1944';

describe('the revise loop: grader and orchestrator until the outcome is settled', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let grader: RunningGrader;
  let messages: MessagesServer;
  let api: ApiClient;
  let labels: LineRange[];

  beforeAll(async () => {
    gateway = await startGateway();
    const env = await orchestratorEnv();
    labels = (await loadCase(CI_BREAKAGES_DIR, CASE)).errorRanges;
    // The mocked model answers a first attempt with the wrong lines and a revision with the right ones.
    messages = await MessagesServer.start({
      respond: (request) => {
        const asked = JSON.stringify(request.body.messages[0]);
        const ranges = asked.includes('needs revision') ? labels : [{ start: 1, end: 1 }];
        return toolUseReply([{ name: 'submit_answer', input: { ranges } }]);
      },
    });
    orchestrator = await startOrchestrator({
      ...env,
      ANTHROPIC_BASE_URL: messages.baseURL,
      ANTHROPIC_API_KEY: messages.apiKey,
    });
    grader = await startGrader(gateway.config.mongo.db);
    api = await gateway.tenant(uniqueName('acme'));
  });

  afterAll(async () => {
    await grader?.close();
    if (orchestrator) {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
    await gateway?.close();
    await messages?.close();
  });

  const agentWith = async (maxIterations: number, model: Json) => {
    const agent = await api.post('/v1/agents', anAgent({ model }));
    const defined = await api.put(`/v1/agents/${agent.body.id}/outcome`, {
      description: 'Point at the lines that explain the failure',
      environment: 'ci-log-triage',
      maxIterations,
      // The builtin triager finds every labelled line of CASE but answers a few more: precision
      // is what it cannot improve on a revision.
      criteria: [
        { id: 'recall', kind: 'label_match', metric: 'recall', min: 0.9, required: true },
        { id: 'precision', kind: 'label_match', metric: 'precision', min: 0.99, required: true },
      ],
    });
    expect(defined.status).toBe(200);
    return agent.body.id as string;
  };
  const settled = (sessionId: string) =>
    expectEventually(
      async () => {
        const got = (await api.get(`/v1/sessions/${sessionId}/outcome`)).body;
        if (!got?.result || got.result === 'needs_revision')
          throw new Error(`not settled: ${JSON.stringify(got?.result)}`);
        return got;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

  it('runs a model to satisfied: the revision answers the grader (the remote model is mocked)', async () => {
    const agentId = await agentWith(3, { provider: 'anthropic', model: 'claude-test' });
    const created = await api.post('/v1/sessions', {
      agentId,
      run: { environment: 'ci-log-triage', task: { caseId: CASE } },
    });
    const sessionId: string = created.body.id;
    const outcome = await settled(sessionId);
    expect(outcome).toMatchObject({ result: 'satisfied', iteration: 2 });
    expect(outcome.history.map((h: Json) => [h.iteration, h.result])).toEqual([
      [1, 'needs_revision'],
      [2, 'satisfied'],
    ]);
    const session = (await api.get(`/v1/sessions/${sessionId}`)).body;
    expect(session).toMatchObject({ status: 'completed', iteration: 2 });

    // The second attempt is in the same session, after the grader's explanation.
    const events: Json[] = await readAllEvents(api, sessionId, 1_000);
    const input = events.find((e) => e.actor === 'grader');
    expect(input).toMatchObject({ type: 'message', role: 'user', iteration: 2 });
    expect(input.content).toMatch(/recall/);
    const submits = events.filter((e) => e.name === 'submit_answer');
    expect(submits.map((e) => e.iteration ?? 1)).toEqual([1, 2]);
    expect(messages.requests.some((r) => JSON.stringify(r.body).includes('needs revision'))).toBe(
      true,
    );
  });

  it('stops at max_iterations_reached when the agent cannot do better (builtin)', async () => {
    const agentId = await agentWith(2, { provider: 'builtin' });
    const created = await api.post('/v1/sessions', {
      agentId,
      run: { environment: 'ci-log-triage', task: { caseId: CASE } },
    });
    const outcome = await settled(created.body.id);
    expect(outcome).toMatchObject({ result: 'max_iterations_reached', iteration: 2 });
    expect(outcome.history.map((h: Json) => h.result)).toEqual([
      'needs_revision',
      'max_iterations_reached',
    ]);
    expect(outcome.summary).toMatch(/precision/);
  });
});
