import { SCHEMA_VERSION, TOPICS } from '@reverie/contracts';
import { eventAppended } from '@reverie/sessions-domain';
import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { testKafka, uniqueName } from '@reverie/testing/integration';
import type { Producer } from 'kafkajs';
import { startGateway, tapTopic, type RunningGateway } from './gateway.harness';

type Tap = Awaited<ReturnType<typeof tapTopic>>;

describe('managed sessions: POST /v1/sessions with a run', () => {
  let gateway: RunningGateway;
  let api: ApiClient;
  let tenantId: string;
  let agentId: string;
  let runCommands: Tap;
  let sessionEvents: Tap;
  let producer: Producer;
  const run = {
    environment: 'ci-log-triage',
    task: { caseId: 'assertj_1944' },
    model: { provider: 'builtin' },
  };

  beforeAll(async () => {
    gateway = await startGateway();
    tenantId = uniqueName('tenant');
    api = await gateway.tenant(tenantId);
    [runCommands, sessionEvents] = await Promise.all([
      tapTopic(TOPICS.runCommands),
      tapTopic(TOPICS.sessionEvents),
    ]);
    producer = testKafka().producer();
    await producer.connect();
    const agent = await api.post(
      '/v1/agents',
      anAgent({
        model: { provider: 'anthropic', model: 'claude-test', maxTokens: 1_000, temperature: 0.3 },
      }),
    );
    expect(agent.status).toBe(201);
    agentId = agent.body.id;
  });
  afterAll(async () => {
    await Promise.all([runCommands.close(), sessionEvents.close(), producer.disconnect()]);
    await gateway.close();
  });

  it('stores the session running with its run and sends exactly one run command', async () => {
    const created = await api.post('/v1/sessions', { agentId, run, metadata: { ticket: 'T-1' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      type: 'session',
      agentId,
      status: 'running',
      source: 'managed',
      title: 'assertj_1944',
      metadata: { ticket: 'T-1' },
      run,
      batchId: null,
      playbook: null,
      eventCount: 0,
    });
    const sessionId: string = created.body.id;
    expect((await api.get(`/v1/sessions/${sessionId}`)).body).toEqual(created.body);

    const [command] = await expectEventually(() => {
      const found = runCommands.forSession(sessionId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(command.key).toBe(sessionId);
    expect(command.value).toEqual({
      id: `run_${sessionId}`,
      type: 'run.requested',
      tenantId,
      agentId,
      sessionId,
      occurredAt: expect.any(String),
      schemaVersion: SCHEMA_VERSION,
      payload: {
        run,
        agentModel: { provider: 'anthropic', model: 'claude-test', maxTokens: 1_000 },
      },
    });

    // Ending it goes through the session topic on the session's partition; once that message is
    // read, any session.started the gateway had sent for it would have been read before it.
    expect((await api.post(`/v1/sessions/${sessionId}/end`, { status: 'canceled' })).status).toBe(
      200,
    );
    await expectEventually(() => {
      expect(sessionEvents.forSession(sessionId).map((m) => m.value.type)).toContain(
        'session.ended',
      );
    });
    // An orchestrator sharing this broker may really run the session and announce it: its
    // started message always names the playbook version (or null). The gateway's never does.
    const startedByGateway = sessionEvents
      .forSession(sessionId)
      .filter((m) => m.value.type === 'session.started' && !('playbook' in m.value.payload));
    expect(startedByGateway).toEqual([]);

    // A later session's command has been read too: still one command for the first.
    const later = await api.post('/v1/sessions', {
      agentId,
      run: { ...run, task: { caseId: 'jodatime_1837' } },
    });
    await expectEventually(() => expect(runCommands.forSession(later.body.id)).toHaveLength(1));
    expect(runCommands.forSession(sessionId)).toHaveLength(1);
  });

  it('takes the playbook version from the started event the orchestrator sends, and its events', async () => {
    const created = await api.post('/v1/sessions', {
      agentId,
      title: 'my triage',
      run: { ...run, task: { caseId: 'cidiff_75' } },
    });
    expect(created.body.title).toBe('my triage');
    const sessionId: string = created.body.id;
    await expectEventually(() => expect(runCommands.forSession(sessionId)).toHaveLength(1));

    // What an orchestrator replica does when it starts the run.
    const at = new Date().toISOString();
    const started = {
      id: `started_${sessionId}`,
      type: 'session.started',
      tenantId,
      agentId,
      sessionId,
      occurredAt: at,
      schemaVersion: SCHEMA_VERSION,
      payload: {
        source: 'managed',
        title: 'cidiff_75',
        playbook: { playbookId: 'pbk_1', version: 3 },
      },
    };
    const event = eventAppended(
      { tenantId, agentId, sessionId },
      { clientEventId: 'o-1', type: 'observation', data: { lines: 120 }, actor: 'triager' },
      at,
    );
    await producer.send({
      topic: TOPICS.sessionEvents,
      messages: [started, event].map((m) => ({ key: sessionId, value: JSON.stringify(m) })),
    });

    const stored = await expectEventually(async () => {
      const session = await api.get(`/v1/sessions/${sessionId}`);
      expect(session.body).toMatchObject({
        eventCount: 1,
        playbook: { playbookId: 'pbk_1', version: 3 },
      });
      return session.body;
    });
    expect(stored).toMatchObject({
      status: 'running',
      source: 'managed',
      title: 'my triage',
      run: { task: { caseId: 'cidiff_75' } },
      createdAt: created.body.createdAt,
    });
  });

  it('leaves external sessions as they were: started event, no run, no command', async () => {
    const created = await api.post('/v1/sessions', { agentId, title: 'by hand' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ source: 'external', run: null, status: 'running' });
    const sessionId: string = created.body.id;
    await expectEventually(() => {
      expect(sessionEvents.forSession(sessionId).map((m) => m.value.type)).toEqual([
        'session.started',
      ]);
    });
    expect(runCommands.forSession(sessionId)).toEqual([]);
  });

  it.each([
    [{ ...run, task: {} }, 'run.task.caseId', /run\.task\.caseId is required: the id of a case/],
    [{ ...run, task: { caseId: 'assertj_1944', log: 'raw' } }, 'run.task', /Unrecognized key/],
    // Cases the dataset does not hold, prototype keys and a parent folder among them.
    [
      { ...run, task: { caseId: 'constructor' } },
      'run.task.caseId',
      /^invalid session: run\.task\.caseId no case "constructor" in the ci-log-triage dataset; its cases are assertj_1944, /,
    ],
    [{ ...run, task: { caseId: '__proto__' } }, 'run.task.caseId', /no case "__proto__"/],
    [{ ...run, task: { caseId: 'no_such_case' } }, 'run.task.caseId', /no case "no_such_case"/],
    [{ ...run, task: { caseId: '..' } }, 'run.task.caseId', /no leading dot and no "\.\."/],
    [{ ...run, environment: 'chess' }, 'run.environment', /ci-log-triage/],
    [{ ...run, model: { provider: 'openai' } }, 'run.model.provider', /builtin/],
    [{ environment: 'ci-log-triage' }, 'run.task', /run\.task/],
  ])('refuses a bad run %j at %s, storing nothing', async (badRun, path, message) => {
    const sessionsOf = async () =>
      (await api.get(`/v1/sessions?agentId=${agentId}&limit=100`)).body.data.length;
    const before = await sessionsOf();
    const response = await api.post('/v1/sessions', { agentId, run: badRun });
    expect(response.status).toBe(400);
    expect(response.body.error.type).toBe('invalid_request_error');
    expect(response.body.error.message).toMatch(message);
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    // Never where the datasets lie on the server.
    expect(JSON.stringify(response.body)).not.toContain(gateway.config.datasetsDir);
    expect(await sessionsOf()).toBe(before);
  });

  it.each([
    ['/v1/sessions', (environment: string) => ({ agentId, run: { ...run, environment } })],
    [
      '/v1/batches',
      (environment: string) => ({
        agentId,
        run: { environment, model: { provider: 'builtin' } },
        tasks: [{ caseId: 'assertj_1944' }],
      }),
    ],
  ])(
    'refuses an unknown environment at %s with a 400 naming the environments it can run',
    async (route, body) => {
      for (const environment of ['chess', 'external']) {
        const response = await api.post(route, body(environment));
        expect(response.status).toBe(400);
        expect(response.body.error.details).toContainEqual({
          path: 'run.environment',
          message: `"${environment}" is not an environment a managed session can run; known: lunar-lander, ci-log-triage (a session your own agent runs is opened without a run)`,
        });
      }
    },
  );

  it('refuses a run for an unknown agent with a 404', async () => {
    const response = await api.post('/v1/sessions', { agentId: 'agt_missing', run });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toMatch(/agent "agt_missing" not found/);
  });
});
