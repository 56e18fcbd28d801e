import { SCHEMA_VERSION, TOPICS, deadLetterTopic, DLQ_HEADERS } from '@reverie/contracts';
import { scenarioFor } from '@reverie/lunar-lander';
import { SessionRepository } from '@reverie/sessions-data-access';
import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { MessagesServer, toolUseReply } from '@reverie/testing/anthropic';
import { testKafka, uniqueName } from '@reverie/testing/integration';
import type { Producer } from 'kafkajs';
// The real gateway and orchestrator produce what the grader grades (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  startGateway,
  tapTopic,
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

// Outcomes as the API returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const LANDING_RUBRIC = {
  description: 'Land on the Moon within the gear limits',
  environment: 'lunar-lander',
  maxIterations: 1,
  criteria: [
    {
      id: 'soft',
      kind: 'bound',
      path: 'touchdown.vertical_speed',
      op: 'lte',
      value: 3,
      required: true,
    },
    {
      id: 'no-skid',
      kind: 'bound',
      path: 'touchdown.horizontal_speed',
      op: 'lte',
      value: 1.2,
      required: true,
    },
    {
      id: 'upright',
      kind: 'bound',
      path: 'touchdown.tilt_deg',
      op: 'lte',
      value: 6,
      required: true,
    },
    { id: 'fuel-left', kind: 'bound', path: 'fuel.left', op: 'gt', value: 0, required: true },
  ],
};

describe('outcome-grader grades ended sessions through the real stack', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let grader: RunningGrader;
  let messages: MessagesServer;
  let api: ApiClient;
  let outcomes: Awaited<ReturnType<typeof tapTopic>>;

  beforeAll(async () => {
    messages = await MessagesServer.start();
    gateway = await startGateway();
    orchestrator = await startOrchestrator(await orchestratorEnv());
    grader = await startGrader(gateway.config.mongo.db, {
      ANTHROPIC_BASE_URL: messages.baseURL,
      ANTHROPIC_API_KEY: messages.apiKey,
      GRADE_READ_ATTEMPTS: '3',
    });
    outcomes = await tapTopic(TOPICS.outcomes);
    api = await gateway.tenant(uniqueName('moon'));
  });

  afterAll(async () => {
    await outcomes?.close();
    await grader?.close();
    if (orchestrator) {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
    await gateway?.close();
    await messages?.close();
  });

  const anAgentWith = async (rubric: Json) => {
    const agent = await api.post('/v1/agents', anAgent());
    expect(agent.status).toBe(201);
    const defined = await api.put(`/v1/agents/${agent.body.id}/outcome`, rubric);
    expect(defined.status).toBe(200);
    return agent.body.id as string;
  };
  const gradeOf = (sessionId: string, check: (o: Json) => void = () => undefined) =>
    expectEventually(
      async () => {
        const got = await api.get(`/v1/sessions/${sessionId}/outcome`);
        if (got.status !== 200) {
          const session = (await api.get(`/v1/sessions/${sessionId}`)).body;
          throw new Error(
            `no outcome yet: ${JSON.stringify(got.body)}; the session is ${session.status} with ${session.eventCount} events`,
          );
        }
        check(got.body);
        return got.body;
      },
      { timeoutMs: 90_000, intervalMs: 300 },
    );

  it('grades landings safe, hard, tipped and out of fuel, each failed criterion explained at its step', async () => {
    const agentId = await anAgentWith(LANDING_RUBRIC);
    const base = scenarioFor('easy', 0);
    const scenarios: Record<string, Json> = {
      safe: base,
      hard: { ...base, id: 'hard', initial: { ...base.initial, altitude: 0.5, vz: -4.5, vx: 0 } },
      tipped: { ...base, id: 'tipped', initial: { ...base.initial, altitude: 1, vz: -1, vx: 3 } },
      dry: {
        ...base,
        id: 'dry',
        craft: { ...base.craft, fuelKg: 3 },
        initial: { ...base.initial, altitude: 20, vz: -2, vx: 0 },
      },
    };
    const ids: Record<string, string> = {};
    for (const [name, scenario] of Object.entries(scenarios)) {
      const created = await api.post('/v1/sessions', {
        agentId,
        run: { environment: 'lunar-lander', task: { scenario } },
      });
      expect(created.status).toBe(201);
      ids[name] = created.body.id;
    }

    const safe = await gradeOf(ids.safe);
    expect(safe).toMatchObject({
      result: 'satisfied',
      score: 1,
      iteration: 1,
      definitionVersion: 1,
    });
    expect(safe.failedCriteria).toEqual([]);

    const hard = await gradeOf(ids.hard);
    expect(hard).toMatchObject({ result: 'max_iterations_reached', failedCriteria: ['soft'] });
    const soft = hard.criteria.find((c: Json) => c.id === 'soft');
    expect(soft).toMatchObject({ passed: false, score: 0 });
    expect(soft.explanation).toMatch(/4\.\d+ m\/s/);
    expect(soft.steps.length).toBe(1);
    expect(hard.summary).toContain('soft');

    const tipped = await gradeOf(ids.tipped);
    expect(tipped.failedCriteria).toEqual(expect.arrayContaining(['no-skid']));
    expect(tipped.criteria.find((c: Json) => c.id === 'no-skid').explanation).toMatch(/2\.\d+/);

    const dry = await gradeOf(ids.dry);
    expect(dry.failedCriteria).toEqual(expect.arrayContaining(['soft', 'fuel-left']));

    // Every verdict was announced on the outcomes topic under its one outcome id (a redelivery
    // may announce it again, with the same id, for consumers to ignore).
    const announced = Object.values(ids).map((id) => outcomes.forSession(id));
    for (const list of announced) {
      expect(list.length).toBeGreaterThanOrEqual(1);
      expect(new Set(list.map((m) => m.value.id)).size).toBe(1);
    }
    expect(announced[1][0].value).toMatchObject({
      type: 'outcome.evaluated',
      payload: { result: 'max_iterations_reached', failedCriteria: ['soft'] },
    });
  });

  it('grades triage answers against the labels, and a judged criterion through the Anthropic provider (the remote model is mocked)', async () => {
    messages.enqueue(
      toolUseReply([
        { name: 'grade', input: { score: 0.8, explanation: 'The answer names the failing test.' } },
      ]),
    );
    const agentId = await anAgentWith({
      description: 'Find the lines that explain the failed build',
      environment: 'ci-log-triage',
      criteria: [
        { id: 'recall', kind: 'label_match', metric: 'recall', min: 0.3, required: true },
        { id: 'submitted', kind: 'tool', tool: 'submit_answer', expect: 'called' },
        {
          id: 'explained',
          kind: 'judge',
          instructions: 'Does the answer point at the real failure?',
          threshold: 0.7,
        },
      ],
    });
    const created = await api.post('/v1/sessions', {
      agentId,
      run: { environment: 'ci-log-triage', task: { caseId: 'assertj_1944' } },
    });
    const outcome = await gradeOf(created.body.id);
    const byId = Object.fromEntries(outcome.criteria.map((c: Json) => [c.id, c]));
    expect(byId.recall).toMatchObject({ kind: 'label_match', gradable: true });
    expect(byId.recall.explanation).toMatch(/recall/);
    expect(byId.submitted).toMatchObject({ passed: true });
    expect(byId.explained).toMatchObject({ passed: true, score: 0.8 });
    expect(byId.explained.explanation).toContain('The answer names the failing test.');
    expect(outcome.judgeUsage.inputTokens).toBeGreaterThan(0);
    const judged = messages.requests.at(-1);
    expect(judged?.body.tool_choice).toEqual({ type: 'tool', name: 'grade' });
  });

  it('grades a redelivered end once, and regrades under a changed rubric on request', async () => {
    const agentId = await anAgentWith(LANDING_RUBRIC);
    const created = await api.post('/v1/sessions', {
      agentId,
      run: { environment: 'lunar-lander', task: { family: 'easy', index: 1 } },
    });
    const sessionId: string = created.body.id;
    const first = await gradeOf(sessionId);

    // The same ended event again (a redelivery): the stored verdict is announced again, not redone.
    const ended = outcomes.forSession(sessionId)[0];
    const producer: Producer = testKafka().producer();
    await producer.connect();
    const session = (await api.get(`/v1/sessions/${sessionId}`)).body;
    await producer.send({
      topic: TOPICS.sessionEvents,
      messages: [
        {
          key: sessionId,
          value: JSON.stringify({
            id: uniqueName('msg'),
            type: 'session.ended',
            tenantId: ended.value.tenantId,
            agentId,
            sessionId,
            occurredAt: session.endedAt,
            schemaVersion: SCHEMA_VERSION,
            payload: { status: 'completed' },
          }),
        },
      ],
    });
    const before = outcomes.forSession(sessionId).length;
    await expectEventually(() =>
      expect(outcomes.forSession(sessionId).length).toBeGreaterThan(before),
    );
    expect(new Set(outcomes.forSession(sessionId).map((m) => m.value.id)).size).toBe(1);
    const history = (await api.get(`/v1/sessions/${sessionId}/outcome`)).body.history;
    expect(history).toHaveLength(1);
    expect(outcomes.forSession(sessionId)[0].value.payload.outcomeId).toBe(history[0].outcomeId);
    expect(first.result).toBe('satisfied');

    const stricter = {
      ...LANDING_RUBRIC,
      criteria: [
        {
          id: 'on-site',
          kind: 'bound',
          path: 'touchdown.distance_to_site',
          op: 'lte',
          value: 0.1,
          required: true,
        },
      ],
    };
    expect((await api.put(`/v1/agents/${agentId}/outcome`, stricter)).body.version).toBe(2);
    // Feedback given after the grade: the first verdict had none, the regrade counts it. The
    // grader reads feedback only for a session flagged as having some, which the ingest does right
    // after storing it; the regrade is requested once both are done.
    expect(first.signals.filter((s: Json) => s.kind === 'feedback')).toEqual([]);
    expect(
      (
        await api.post(`/v1/sessions/${sessionId}/feedback`, {
          rating: 'negative',
          comment: 'off site',
        })
      ).status,
    ).toBe(202);
    const sessions = gateway.app.get(SessionRepository);
    await expectEventually(async () => {
      expect(await sessions.findById(ended.value.tenantId, sessionId)).toMatchObject({
        hasFeedback: true,
      });
    });
    const regrade = await api.post('/v1/outcomes/regrade', { sessionIds: [sessionId] });
    expect(regrade.status).toBe(202);
    const again = await gradeOf(sessionId, (o) => expect(o.definitionVersion).toBe(2));
    expect(again).toMatchObject({ regrade: true, failedCriteria: ['on-site'] });
    expect(again.signals.filter((s: Json) => s.kind === 'feedback')).toEqual([
      { kind: 'feedback', step: null, detail: 'negative: off site' },
    ]);
    await producer.disconnect();
  });

  it('dead-letters an ended session it cannot read, with the reason', async () => {
    const dlq = await tapTopic(deadLetterTopic(TOPICS.sessionEvents) as never);
    const agentId = await anAgentWith(LANDING_RUBRIC);
    const sessionId = uniqueName('ses_missing');
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.sessionEvents,
      messages: [
        {
          key: sessionId,
          value: JSON.stringify({
            id: uniqueName('msg'),
            type: 'session.ended',
            tenantId: 'nobody',
            agentId,
            sessionId,
            occurredAt: new Date().toISOString(),
            schemaVersion: SCHEMA_VERSION,
            payload: { status: 'completed' },
          }),
        },
      ],
    });
    const parked = await expectEventually(
      () => {
        const found = dlq.forSession(sessionId);
        expect(found).toHaveLength(1);
        return found[0];
      },
      { timeoutMs: 60_000 },
    );
    expect(parked.headers[DLQ_HEADERS.reason]).toMatch(
      /gave up after 3 attempt\(s\) \(retriable error\): session .* is not stored yet/,
    );
    await producer.disconnect();
    await dlq.close();
  });
});
