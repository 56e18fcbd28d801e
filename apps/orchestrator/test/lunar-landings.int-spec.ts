import {
  BuiltinLunarTeam,
  flyLanding,
  recordedCommands,
  recordedScenario,
  replayCommands,
  scenarioFor,
  type LandingResult,
} from '@reverie/lunar-lander';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
// The real gateway stores what the orchestrator publishes (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  expectApiError,
  readAllEvents,
  startGateway,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
import {
  dropDatabase,
  endedSession,
  aLunarTeamAgent,
  orchestratorEnv,
  startOrchestrator,
  type RunningOrchestrator,
  type StoredEvent,
} from './orchestrator.harness';

describe('lunar landings through the real stack (gateway, Kafka, orchestrator, MongoDB)', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let api: ApiClient;
  let agentId: string;
  const tenantId = uniqueName('moon');

  beforeAll(async () => {
    gateway = await startGateway();
    orchestrator = await startOrchestrator(await orchestratorEnv());
    api = await gateway.tenant(tenantId);
    agentId = await aLunarTeamAgent(api);
  });

  afterAll(async () => {
    if (orchestrator) {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
    await gateway?.close();
  });

  const land = async (task: Record<string, unknown>) => {
    const created = await api.post('/v1/sessions', {
      agentId,
      run: { environment: 'lunar-lander', task },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const ended = (id: string) => endedSession(api, id);
  const resultOf = (events: StoredEvent[]) =>
    events.find((e) => e.type === 'observation' && e.data.result)?.data.result;

  it('lands a scenario with the team: every step attributed to its role, replayable bit for bit', async () => {
    const sessionId = await land({ family: 'easy', index: 0 });
    const session = await ended(sessionId);
    expect(session).toMatchObject({
      status: 'completed',
      title: 'lunar landing easy #0',
      rolePlaybooks: { detector: null, commander: null, navigator: null },
    });
    const events: StoredEvent[] = await readAllEvents(api, sessionId, 1_000);
    expect(events).toHaveLength(session.eventCount);
    const result = resultOf(events);
    expect(result).toMatchObject({ scenarioId: 'easy-00', status: 'landed' });
    expect(result.touchdown.verdict).toBe('safe');
    expect(result.touchdown.verticalSpeed).toBeLessThanOrEqual(3);
    expect(result.fuelUsed).toBeGreaterThan(result.fuelLimit);

    // The Detector reports to the Commander at every step; the Navigator's commands reach the craft.
    const step = 5;
    const atStep = events.filter((e) => e.step === step);
    expect(atStep.find((e) => e.actor === 'detector')).toMatchObject({
      type: 'message',
      to: 'commander',
      clientEventId: `s${step}.detector.message.0`,
    });
    expect(atStep.find((e) => e.actor === 'navigator')).toMatchObject({
      type: 'action',
      name: 'command',
      params: { throttle: expect.any(Number), pitch: expect.any(Number) },
    });
    expect(JSON.parse(atStep[0].content)).toMatchObject({ altitude: expect.any(Number) });

    // What was stored is enough to fly the same landing again, exactly.
    const replay = replayCommands(recordedScenario(events)!, recordedCommands(events));
    expect(replay.touchdown).toEqual(result.touchdown);
  });

  it("follows each role's playbook and records the versions it ran with", async () => {
    const entry = await api.post(`/v1/agents/${agentId}/playbook/entries?role=navigator`, {
      title: 'Tilt less near the ground',
      guidance: 'Below 40 m keep the tilt under 5 degrees.',
      rationale: 'A test of the per-role playbook path.',
      evidence: [],
      rule: {
        when: { feature: 'altitude', op: 'lt', value: 40 },
        then: { action: 'set', params: { terminalMaxTiltDeg: 5 } },
      },
    });
    expect(entry.status).toBe(201);
    await expectEventually(() =>
      expect(orchestrator.catalog.get(tenantId, agentId, 'navigator')).toMatchObject({
        version: 1,
      }),
    );

    const sessionId = await land({ family: 'easy', index: 1 });
    const session = await ended(sessionId);
    expect(session.rolePlaybooks).toEqual({
      detector: null,
      commander: null,
      navigator: { playbookId: `pbk_${agentId}.navigator`, version: 1 },
    });
    const events: StoredEvent[] = await readAllEvents(api, sessionId, 1_000);
    const fired = events.filter((e) => e.name === 'apply_rule');
    expect(fired.length).toBeGreaterThan(0);
    expect(fired[0]).toMatchObject({
      actor: 'navigator',
      params: { action: 'set', params: { terminalMaxTiltDeg: 5 } },
    });
    expect(fired.every((e) => e.actor === 'navigator')).toBe(true);
  });

  it('lands a whole scenario family as a batch and reports every touchdown', async () => {
    const tasks = Array.from({ length: 20 }, (_, index) => ({ family: 'boulder-field', index }));
    const batch = await api.post('/v1/batches', {
      agentId,
      run: { environment: 'lunar-lander' },
      tasks,
    });
    expect(batch.status).toBe(201);
    const done = await expectEventually(
      async () => {
        const b = (await api.get(`/v1/batches/${batch.body.id}?limit=100`)).body;
        if (!b.done) throw new Error(`batch not done: ${JSON.stringify(b.counts)}`);
        return b;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(done.counts).toMatchObject({ completed: 20, failed: 0 });
    // Landings are deterministic: through the stack each scenario ends as it does flown in-process.
    const verdict = (r: LandingResult) => r.touchdown?.verdict ?? r.status;
    const stored: string[] = [];
    const expected: string[] = [];
    for (const s of done.sessions) {
      stored.push(verdict(resultOf(await readAllEvents(api, s.id, 1_000))));
      const { family, index } = s.task;
      expected.push(
        verdict((await flyLanding(scenarioFor(family, index), new BuiltinLunarTeam())).result),
      );
    }
    expect(stored).toEqual(expected);
    expect(stored).toContain('safe');
  });

  it('refuses a family that does not exist and a scenario that makes no physical sense', async () => {
    const unknown = await api.post('/v1/sessions', {
      agentId,
      run: { environment: 'lunar-lander', task: { family: 'mars', index: 0 } },
    });
    expectApiError(unknown, 400, 'invalid_request_error', /unknown scenario family "mars"/);

    const latest = (await api.get(`/v1/sessions?agentId=${agentId}&limit=1`)).body.data[0];
    const scenario = recordedScenario(
      (await readAllEvents(api, latest.id, 1_000)) as StoredEvent[],
    )!;
    const heavy = await api.post('/v1/sessions', {
      agentId,
      run: {
        environment: 'lunar-lander',
        task: { scenario: { ...scenario, craft: { dryMassKg: -5, fuelKg: 500 } } },
      },
    });
    expectApiError(heavy, 400, 'invalid_request_error', /craft.dryMassKg/);
    expect(JSON.stringify(heavy.body)).toMatch(/positive/);

    const throttle = await api.post('/v1/sessions', {
      agentId,
      run: {
        environment: 'lunar-lander',
        task: { scenario: { ...scenario, initial: { ...scenario.initial, throttle: 0.75 } } },
      },
    });
    expectApiError(throttle, 400, 'invalid_request_error', /0 \(off\), 0.1 to 0.6, or 1/);

    const pilot = await api.post('/v1/sessions', {
      agentId,
      run: {
        environment: 'lunar-lander',
        task: { family: 'easy', index: 0 },
        team: { pilot: { provider: 'builtin' } },
      },
    });
    expectApiError(pilot, 400, 'invalid_request_error', /has no role "pilot"/);
  });
});
