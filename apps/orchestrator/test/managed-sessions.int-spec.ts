import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION, TOPICS } from '@reverie/contracts';
import { SessionRepository } from '@reverie/sessions-data-access';
import { anAgent, ApiClient, expectEventually } from '@reverie/testing';
import { MessagesServer, toolUseReply } from '@reverie/testing/anthropic';
import { uniqueName } from '@reverie/testing/integration';
// The real gateway stores what the orchestrator publishes (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  readAllEvents,
  startGateway,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
import {
  aRunCommand,
  dropDatabase,
  endedSession,
  groupCaughtUp,
  orchestratorEnv,
  publisher,
  startOrchestrator,
  type RunningOrchestrator,
  type StoredEvent,
} from './orchestrator.harness';

describe('orchestrator runs managed ci-log-triage sessions through the real stack', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let messages: MessagesServer;
  let kafka: Awaited<ReturnType<typeof publisher>>;
  let api: ApiClient;
  const tenantId = uniqueName('acme');
  const agentId = 'agt_triage';
  const to = { tenantId, agentId };
  let caseIds: string[];

  beforeAll(async () => {
    messages = await MessagesServer.start();
    gateway = await startGateway();
    const env = await orchestratorEnv({
      ANTHROPIC_BASE_URL: messages.baseURL,
      ANTHROPIC_API_KEY: messages.apiKey,
    });
    orchestrator = await startOrchestrator(env);
    caseIds = readdirSync(join(orchestrator.config.datasetsDir, 'ci-breakages'), {
      withFileTypes: true,
    })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    kafka = await publisher();
    api = await gateway.tenant(tenantId);
  });

  afterAll(async () => {
    await kafka?.close();
    if (orchestrator) {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
    await gateway?.close();
    await messages?.close();
  });

  const session = async (id: string) => (await api.get(`/v1/sessions/${id}`)).body;
  const ended = (id: string) => endedSession(api, id, 60_000);

  it('runs 20 dataset cases as builtin sessions, each stored completed with its steps in order', async () => {
    expect(caseIds).toHaveLength(20);
    const batchId = uniqueName('bat');
    const commands = caseIds.map((caseId) => aRunCommand(to, caseId, { batchId }));
    const started = Date.now();
    await kafka.publish(TOPICS.runCommands, commands);
    const sessions = [];
    for (const c of commands) sessions.push(await ended(c.sessionId));
    const seconds = (Date.now() - started) / 1000;
    if (process.env.REVERIE_PRINT_RATES)
      process.stdout.write(
        `1 replica: 20 sessions in ${seconds.toFixed(1)} s (${((20 / seconds) * 60).toFixed(0)}/min)\n`,
      );

    for (const [i, s] of sessions.entries()) {
      expect(s).toMatchObject({
        status: 'completed',
        source: 'managed',
        title: caseIds[i],
        playbook: null,
        batchId,
      });
      const events: StoredEvent[] = await readAllEvents(api, s.id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k + 1));
      expect(events.every((e) => e.actor === 'triager')).toBe(true);
      const steps = events.map((e) => e.step);
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      const names = events.map((e) => `${e.type}:${e.name ?? Object.keys(e.data ?? {})[0]}`);
      expect(names).toEqual([
        'observation:kind',
        'action:select_candidates',
        'action:submit_answer',
        'observation:result',
      ]);
      expect(events[3].data.result).toEqual({
        answer: events[2].params.ranges,
        precision: expect.any(Number),
        recall: expect.any(Number),
        f1: expect.any(Number),
      });
    }
    const runs = await orchestrator.runs.listByBatch(tenantId, batchId);
    expect(runs.map((r) => [r.status, r.attempts, r.replica])).toEqual(
      runs.map(() => ['completed', 1, orchestrator.config.replicaId]),
    );
  });

  it('does not run a completed session again when its command is redelivered', async () => {
    const command = aRunCommand(to, caseIds[0]);
    await kafka.publish(TOPICS.runCommands, [command]);
    const first = await ended(command.sessionId);
    const run = await orchestrator.runs.findById(tenantId, command.sessionId);

    await kafka.publish(TOPICS.runCommands, [command]);
    await expectEventually(
      () => groupCaughtUp(orchestrator.config.kafka.groupId, TOPICS.runCommands),
      {
        timeoutMs: 30_000,
      },
    );
    expect(await orchestrator.runs.findById(tenantId, command.sessionId)).toEqual(run);
    expect(run).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await session(command.sessionId)).toEqual(first);
  });

  it('ends a session for an unknown case failed, with a reason that names the case', async () => {
    const command = aRunCommand(to, 'no_such_case');
    await kafka.publish(TOPICS.runCommands, [command]);
    const s = await ended(command.sessionId);
    expect(s).toMatchObject({
      status: 'failed',
      endReason: expect.stringMatching(
        /^unknown case "no_such_case": the ci-breakages dataset has no readable case/,
      ),
    });
    const events: StoredEvent[] = await readAllEvents(api, s.id);
    expect(events).toEqual([
      expect.objectContaining({ type: 'error', code: 'unknown_case', message: s.endReason }),
    ]);
    expect(await orchestrator.runs.findById(tenantId, s.id)).toMatchObject({
      status: 'failed',
      reason: s.endReason,
    });
  });

  it("uses the playbook version published to the compacted topic in the agent's next session", async () => {
    const caseId = caseIds[1];
    const agentWithPlaybook = { tenantId, agentId: 'agt_learner' };
    const before = aRunCommand(agentWithPlaybook, caseId);
    await kafka.publish(TOPICS.runCommands, [before]);
    expect(await ended(before.sessionId)).toMatchObject({ status: 'completed', playbook: null });

    await kafka.publish(TOPICS.playbookVersions, [
      {
        id: uniqueName('pbv'),
        type: 'playbook.version_activated',
        ...agentWithPlaybook,
        occurredAt: new Date().toISOString(),
        schemaVersion: SCHEMA_VERSION,
        payload: {
          playbookId: 'pbk_learner',
          role: null,
          version: 2,
          entries: [
            {
              id: 'include-log-head',
              title: 'Include the first lines of the log',
              guidance: 'The first lines name the build; include them.',
              rationale: 'A test of the playbook path.',
              evidence: [],
              helpful: 0,
              harmful: 0,
              status: 'active',
              rule: {
                when: { feature: 'lineNumber', op: 'eq', value: 1 },
                then: { action: 'include_following', params: { lines: 2 } },
              },
            },
          ],
        },
      },
    ]);
    await expectEventually(() =>
      expect(orchestrator.catalog.get(tenantId, 'agt_learner')).toMatchObject({ version: 2 }),
    );

    const after = aRunCommand(agentWithPlaybook, caseId);
    await kafka.publish(TOPICS.runCommands, [after]);
    expect(await ended(after.sessionId)).toMatchObject({
      status: 'completed',
      playbook: { playbookId: 'pbk_learner', version: 2 },
    });
    const submitted = async (id: string) =>
      ((await readAllEvents(api, id)) as StoredEvent[]).find((e) => e.name === 'submit_answer')
        .params.ranges;
    const applied = (await readAllEvents(api, after.sessionId)).find(
      (e: StoredEvent) => e.name === 'apply_rule',
    );
    expect(applied).toMatchObject({
      params: { entryId: 'include-log-head', added: [{ start: 1, end: 3 }] },
    });
    expect((await submitted(after.sessionId))[0]).toEqual({ start: 1, end: 3 });
    expect((await submitted(before.sessionId))[0].start).toBeGreaterThan(3);
  });

  it('runs an anthropic session through the tool loop, recording model calls with usage and tool events (the remote model is mocked)', async () => {
    messages.enqueue(
      toolUseReply([{ name: 'search', input: { pattern: 'ERROR' } }], {
        usage: { input_tokens: 900, output_tokens: 40 },
      }),
      toolUseReply([{ name: 'submit_answer', input: { ranges: [{ start: 1, end: 2 }] } }], {
        usage: { input_tokens: 1_500, output_tokens: 30 },
      }),
    );
    const command = aRunCommand(to, caseIds[2], {
      agentModel: { provider: 'anthropic', model: 'claude-test', maxTokens: 1024 },
    });
    await kafka.publish(TOPICS.runCommands, [command]);
    expect(await ended(command.sessionId)).toMatchObject({ status: 'completed' });
    expect(messages.requests.map((r) => [r.body.model, r.body.max_tokens])).toEqual([
      ['claude-test', 1024],
      ['claude-test', 1024],
    ]);

    const events: StoredEvent[] = await readAllEvents(api, command.sessionId);
    expect(events.map((e) => `${e.step}:${e.type}${e.name ? `:${e.name}` : ''}`)).toEqual([
      '1:model_call',
      '1:tool_call:search',
      '1:tool_result',
      '2:model_call',
      '2:tool_call:submit_answer',
      '2:tool_result',
      '2:observation',
    ]);
    expect(
      events.filter((e) => e.type === 'model_call').map((e) => [e.provider, e.model, e.usage]),
    ).toEqual([
      ['anthropic', 'claude-test', expect.objectContaining({ inputTokens: 900, outputTokens: 40 })],
      [
        'anthropic',
        'claude-test',
        expect.objectContaining({ inputTokens: 1_500, outputTokens: 30 }),
      ],
    ]);
    expect(events[2].output).toMatchObject({ log: 'fail', matches: expect.any(Array) });
    expect(events[6].data.result.answer).toEqual([{ start: 1, end: 2 }]);
  });
});

/**
 * The gateway cancels a managed session whose run command was not acknowledged in time; should
 * the command land all the same, the orchestrator must not run it. A keyed retry of the create
 * reopens the session and sends the same command, which then runs, once, even when the late
 * original arrives too. The orchestrator shares the gateway's database here, as deployed.
 */
describe('orchestrator runs only running sessions', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let messages: MessagesServer;
  let kafka: Awaited<ReturnType<typeof publisher>>;
  let api: ApiClient;
  let sessions: SessionRepository;
  const tenantId = uniqueName('acme');
  const to = { tenantId, agentId: 'agt_triage' };

  beforeAll(async () => {
    messages = await MessagesServer.start();
    gateway = await startGateway();
    orchestrator = await startOrchestrator(
      await orchestratorEnv({
        MONGO_DB: gateway.config.mongo.db,
        ANTHROPIC_BASE_URL: messages.baseURL,
        ANTHROPIC_API_KEY: messages.apiKey,
        SESSION_WATCH_MS: '500',
      }),
    );
    kafka = await publisher();
    api = await gateway.tenant(tenantId);
    sessions = gateway.app.get(SessionRepository);
  });

  afterAll(async () => {
    await kafka?.close();
    await orchestrator?.close();
    await gateway?.close();
    await messages?.close();
  });

  /** A managed session stored as the gateway stores it (running), and its run command. */
  async function aStoredSession(overrides: Parameters<typeof aRunCommand>[2] = {}) {
    const command = aRunCommand(to, 'assertj_1944', overrides);
    await sessions.insertManaged(
      tenantId,
      [{ _id: command.sessionId, agentId: to.agentId, run: command.payload.run }],
      new Date(),
    );
    return command;
  }

  /** A managed session stored as the gateway stores it, canceled as when its command failed. */
  async function anUnsentSession() {
    const command = await aStoredSession();
    await sessions.cancelUnsent(tenantId, [command.sessionId], new Date());
    return command;
  }

  const caughtUp = () =>
    expectEventually(() => groupCaughtUp(orchestrator.config.kafka.groupId, TOPICS.runCommands), {
      timeoutMs: 30_000,
    });

  it('skips a run command that arrives after its session was canceled, and records why', async () => {
    const command = await anUnsentSession();
    const before = (await api.get(`/v1/sessions/${command.sessionId}`)).body;
    expect(before).toMatchObject({
      status: 'canceled',
      endReason: expect.stringMatching(/^the run command was not acknowledged/),
    });

    await kafka.publish(TOPICS.runCommands, [command]);
    await caughtUp();

    expect(await orchestrator.runs.findById(tenantId, command.sessionId)).toMatchObject({
      status: 'queued',
      attempts: 0,
      skipReason: `session is canceled (${before.endReason})`,
      skippedAt: expect.any(Date),
    });
    // Nothing ran: no started message, no events, the session as the gateway left it.
    expect((await api.get(`/v1/sessions/${command.sessionId}`)).body).toEqual(before);
  });

  it('skips the command of a session its client ended', async () => {
    const agent = await api.post('/v1/agents', anAgent());
    const external = await api.post('/v1/sessions', { agentId: agent.body.id });
    expect(external.status).toBe(201);
    const end = await api.post(`/v1/sessions/${external.body.id}/end`, {
      status: 'canceled',
      reason: 'changed my mind',
    });
    expect(end.status).toBe(200);
    const command = {
      ...aRunCommand({ tenantId, agentId: agent.body.id }, 'assertj_1944'),
      sessionId: external.body.id,
    };
    await kafka.publish(TOPICS.runCommands, [command]);
    await caughtUp();
    expect(await orchestrator.runs.findById(tenantId, external.body.id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      skipReason: 'session is canceled (changed my mind)',
    });
    expect((await api.get(`/v1/sessions/${external.body.id}`)).body).toMatchObject({
      status: 'canceled',
      eventCount: 0,
    });
  });

  it("runs a reopened session once when the late original and the retry's command both arrive", async () => {
    const command = await anUnsentSession();
    await kafka.publish(TOPICS.runCommands, [command]); // lands before the retry: skipped
    await caughtUp();
    expect(await sessions.reopenUnsent(tenantId, command.sessionId)).toBe(true);
    // Only one retry reopens it.
    expect(await sessions.reopenUnsent(tenantId, command.sessionId)).toBe(false);
    // The retry's command and the original, late once more (one batch, then another).
    await kafka.publish(TOPICS.runCommands, [command, command]);
    await kafka.publish(TOPICS.runCommands, [command]);

    expect(await endedSession(api, command.sessionId, 60_000)).toMatchObject({
      status: 'completed',
      endReason: null,
      eventCount: 4,
    });
    await caughtUp();
    expect(await orchestrator.runs.findById(tenantId, command.sessionId)).toMatchObject({
      status: 'completed',
      attempts: 1,
    });
    const events: StoredEvent[] = await readAllEvents(api, command.sessionId);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("ends a session canceled as not acknowledged with its run's end when the cancel raced the run's start", async () => {
    const command = await aStoredSession();
    await kafka.publish(TOPICS.runCommands, [command]);
    // The gateway's cancel lands while the run is under way (or just after it started).
    await expectEventually(
      async () =>
        expect(await orchestrator.runs.findById(tenantId, command.sessionId)).toMatchObject({
          attempts: 1,
        }),
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    await sessions.cancelUnsent(tenantId, [command.sessionId], new Date());
    // The run's end says what happened: it ran, and is not left canceled as never run.
    await expectEventually(
      async () =>
        expect((await api.get(`/v1/sessions/${command.sessionId}`)).body).toMatchObject({
          status: 'completed',
          endReason: null,
        }),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  });

  it('stops the run of a session its client ends while the model is answering: the call is aborted, nothing more is stored (the remote model is mocked)', async () => {
    // The model would answer after 10 minutes, past this test's timeout: only an aborted call
    // lets the run end in time.
    messages.respondWith(() => ({
      ...toolUseReply([{ name: 'search', input: { pattern: 'ERROR' } }]),
      delayMs: 600_000,
    }));
    const asked = messages.requests.length;
    const command = await aStoredSession({
      agentModel: { provider: 'anthropic', model: 'claude-test' },
    });
    await kafka.publish(TOPICS.runCommands, [command]);
    await expectEventually(async () => expect(messages.requests.length).toBe(asked + 1), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });

    const end = await api.post(`/v1/sessions/${command.sessionId}/end`, {
      status: 'canceled',
      reason: 'taking too long',
    });
    expect(end.status).toBe(200);
    await expectEventually(
      async () =>
        expect(await orchestrator.runs.findById(tenantId, command.sessionId)).toMatchObject({
          status: 'canceled',
          reason: expect.stringMatching(
            /^its session ended while it ran \(canceled: taking too long\); run stopped, \d+ unpublished message\(s\) dropped$/,
          ),
        }),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await caughtUp();
    // Asked once; the client's end stands, with no events from the run after it.
    expect(messages.requests.length).toBe(asked + 1);
    expect((await api.get(`/v1/sessions/${command.sessionId}`)).body).toMatchObject({
      status: 'canceled',
      endReason: 'taking too long',
      eventCount: 0,
    });
    await expect(readAllEvents(api, command.sessionId)).resolves.toEqual([]);
  }, 120_000);

  it('a canceled batch stops its runs under way and skips those not started (the remote model is mocked)', async () => {
    messages.respondWith(() => ({
      ...toolUseReply([{ name: 'search', input: { pattern: 'ERROR' } }]),
      delayMs: 600_000,
    }));
    const asked = messages.requests.length;
    const agent = await api.post('/v1/agents', anAgent());
    const created = await api.post('/v1/batches', {
      agentId: agent.body.id,
      run: { environment: 'ci-log-triage', model: { provider: 'anthropic', model: 'claude-test' } },
      tasks: [
        'assertj_1944',
        'assertj_1944',
        'assertj_1944',
        'assertj_1944',
        'assertj_1944',
        'assertj_1944',
      ].map((caseId) => ({ caseId })),
    });
    expect(created.status).toBe(201);
    const ids: string[] = created.body.sessions.map((s: { id: string }) => s.id);
    await expectEventually(async () => expect(messages.requests.length).toBeGreaterThan(asked), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });

    const canceled = await api.post(`/v1/batches/${created.body.id}/cancel`, {
      reason: 'wrong branch',
    });
    expect(canceled.body).toMatchObject({ canceled: 6, counts: { canceled: 6 }, done: true });
    // Each run either stopped (it had started: one model call, aborted) or was never started.
    const runs = await expectEventually(
      async () => {
        const found = await Promise.all(ids.map((id) => orchestrator.runs.findById(tenantId, id)));
        for (const run of found)
          expect(
            run?.status === 'canceled' || (run?.status === 'queued' && run.skipReason),
          ).toBeTruthy();
        return found;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await caughtUp();
    const stopped = runs.filter((r) => r?.status === 'canceled');
    expect(stopped.length).toBeGreaterThan(0);
    for (const run of stopped)
      expect(run?.reason).toMatch(/^its session ended while it ran \(canceled: wrong branch\)/);
    for (const run of runs.filter((r) => r?.status === 'queued'))
      expect(run?.skipReason).toBe('session is canceled (wrong branch)');
    expect(messages.requests.length - asked).toBe(stopped.length);
    for (const id of ids)
      expect((await api.get(`/v1/sessions/${id}`)).body).toMatchObject({
        status: 'canceled',
        eventCount: 0,
      });
  }, 120_000);
});
