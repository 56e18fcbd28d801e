import { MAX_THRUST_N } from '@reverie/lunar-lander';
import { anAgent, type ApiClient } from '@reverie/testing';
import {
  MessagesServer,
  textReply,
  toolUseReply,
  type RecordedRequest,
  type ScriptedReply,
} from '@reverie/testing/anthropic';
import { uniqueName } from '@reverie/testing/integration';
// The real gateway stores what the orchestrator publishes (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  readAllEvents,
  startGateway,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
import {
  dropDatabase,
  endedSession,
  orchestratorEnv,
  startOrchestrator,
  type RunningOrchestrator,
} from './orchestrator.harness';

// Stored events as the API returns them, and a role's facts as JSON (any shape).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const ROLES = ['detector', 'commander', 'navigator'];

/**
 * Plays the remote model: tells the role by the tools it is offered and answers with one tool
 * call that fits what the role was told (the Navigator descends near its hover throttle).
 */
function crew(request: RecordedRequest): ScriptedReply {
  const tools = (request.body.tools ?? []).map((t) => t.name);
  const first = request.body.messages[0].content;
  const facts: Loose = JSON.parse(typeof first === 'string' ? first : String(first[0].text));
  // Each decision ends at its first valid tool call; a second turn would only need an answer.
  if (request.body.messages.length > 1) return textReply('Done.');
  const usage = { input_tokens: 700, output_tokens: 30 };
  if (tools.includes('report'))
    return toolUseReply(
      [{ name: 'report', input: { altitude_m: facts.reading.radarAltitude, site_safe: true } }],
      { usage },
    );
  if (tools.includes('set_orders'))
    return toolUseReply(
      [{ name: 'set_orders', input: { phase: 'terminal', site_x: 0, reason: 'land on target' } }],
      { usage, text: 'Terminal descent onto the target.' },
    );
  const { vz, altitude, mass } = facts.report;
  const accel = 1.62 + 0.5 * (-Math.max(1, altitude / 10) - vz);
  const throttle = Math.min(Math.max((mass * accel) / MAX_THRUST_N, 0.1), 0.6);
  return toolUseReply([{ name: 'set_engine', input: { throttle, pitch_deg: 0 } }], { usage });
}

describe('a lunar landing flown by a team of models through the real stack (the remote model is mocked by a local Messages API server)', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let messages: MessagesServer;
  let api: ApiClient;
  let agentId: string;
  const tenantId = uniqueName('moon');

  beforeAll(async () => {
    messages = await MessagesServer.start({ respond: crew });
    gateway = await startGateway();
    orchestrator = await startOrchestrator(
      await orchestratorEnv({
        ANTHROPIC_BASE_URL: messages.baseURL,
        ANTHROPIC_API_KEY: messages.apiKey,
        // Caps each decision's tool loop below the team's default of 3 turns.
        MAX_MODEL_TURNS: '2',
      }),
    );
    api = await gateway.tenant(tenantId);
    const agent = await api.post('/v1/agents', anAgent({ roles: ROLES.map((name) => ({ name })) }));
    expect(agent.status).toBe(201);
    agentId = agent.body.id;
  });

  afterAll(async () => {
    if (orchestrator) {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
    await gateway?.close();
    await messages?.close();
  });

  it("records each role's model calls with usage, its tool calls, and the landing's result", async () => {
    const created = await api.post('/v1/sessions', {
      agentId,
      run: {
        environment: 'lunar-lander',
        task: { family: 'easy', index: 0 },
        model: { provider: 'anthropic', model: 'claude-test' },
      },
    });
    expect(created.status).toBe(201);
    const sessionId: string = created.body.id;
    const session = await endedSession(api, sessionId);
    expect(session).toMatchObject({ status: 'completed', title: 'lunar landing easy #0' });

    const events: Loose[] = await readAllEvents(api, sessionId, 1_000);
    expect(events).toHaveLength(session.eventCount);
    const result = events.find((e) => e.type === 'observation' && e.data.result)?.data.result;
    expect(result).toMatchObject({ scenarioId: 'easy-00', status: expect.any(String) });
    expect(result.status).not.toBe('flying');

    // One model call per role per decision (every 5 steps), each with its usage, as sent.
    const calls = events.filter((e) => e.type === 'model_call');
    expect(calls).toHaveLength(messages.requests.length);
    const decisions = Math.floor((result.steps - 1) / 5) + 1;
    for (const role of ROLES) {
      const mine = calls.filter((c) => c.actor === role);
      expect(mine.map((c) => c.step)).toEqual(Array.from({ length: decisions }, (_, i) => i * 5));
      for (const c of mine)
        expect(c).toMatchObject({
          provider: 'anthropic',
          model: 'claude-test',
          usage: { inputTokens: 700, outputTokens: 30 },
          stopReason: 'tool_use',
        });
    }
    expect(messages.requests.every((r) => r.body.model === 'claude-test')).toBe(true);

    // Tool calls and their results are the role's, at the step it decided.
    const toolCalls = events.filter((e) => e.type === 'tool_call');
    expect(new Set(toolCalls.map((c) => `${c.actor}:${c.name}`))).toEqual(
      new Set(['detector:report', 'commander:set_orders', 'navigator:set_engine']),
    );
    for (const c of toolCalls) {
      expect(c.toolCallId).toBe(`${c.actor}-${c.step}-1`);
      const res = events.find((e) => e.type === 'tool_result' && e.toolCallId === c.toolCallId);
      expect(res).toMatchObject({ actor: c.actor, step: c.step, isError: false });
    }
    expect(events.find((e) => e.actor === 'commander' && e.to === 'team')).toMatchObject({
      type: 'message',
      step: 0,
      content: 'Terminal descent onto the target.',
    });
    // The Navigator's settings reach the craft and hold between its decisions.
    const commands = events.filter((e) => e.type === 'action' && e.name === 'command');
    const set0 = toolCalls.find((c) => c.toolCallId === 'navigator-0-1');
    expect(commands[0].params.throttle).toBe(set0.input.throttle);
    expect(commands[4].params).toEqual(commands[0].params);
  });

  it('flies a role on the model its agent sets for it (roles[].model) unless the run sets one', async () => {
    const agent = await api.post(
      '/v1/agents',
      anAgent({
        roles: [
          { name: 'detector' },
          { name: 'commander' },
          { name: 'navigator', model: { provider: 'anthropic', model: 'claude-nav' } },
        ],
      }),
    );
    expect(agent.status).toBe(201);
    const land = async (run: Record<string, unknown> = {}) => {
      const before = messages.requests.length;
      const created = await api.post('/v1/sessions', {
        agentId: agent.body.id,
        run: { environment: 'lunar-lander', task: { family: 'easy', index: 1 }, ...run },
      });
      expect(created.status).toBe(201);
      const session = await endedSession(api, created.body.id);
      expect(session.status).toBe('completed');
      const events: Loose[] = await readAllEvents(api, created.body.id, 1_000);
      return {
        calls: events.filter((e) => e.type === 'model_call'),
        sent: messages.requests.slice(before),
      };
    };

    // The Navigator on its own model; the Detector and the Commander builtin, as the agent says.
    const own = await land();
    expect(own.calls.length).toBeGreaterThan(0);
    expect(new Set(own.calls.map((c) => `${c.actor}:${c.model}`))).toEqual(
      new Set(['navigator:claude-nav']),
    );
    expect(own.sent.every((r) => r.body.model === 'claude-nav')).toBe(true);

    // A run's own model is taken for every role, the Navigator's too.
    const overridden = await land({ model: { provider: 'builtin' } });
    expect(overridden.calls).toEqual([]);
    expect(overridden.sent).toEqual([]);
  });
});
