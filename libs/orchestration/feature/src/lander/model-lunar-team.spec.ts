import type { SessionEventBody } from '@reverie/contracts';
import { flyLanding, MAX_THRUST_N, scenarioFor } from '@reverie/lunar-lander';
import {
  ModelProviderError,
  zeroUsage,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type ToolCall,
} from '@reverie/models';
import { ModelLunarTeam, type LunarRoleModel } from './model-lunar-team';

// What a role reads in its user message (compact JSON, shape per role).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Facts = any;

/**
 * A crew model that answers each request with one tool call for the role its tools name: the
 * Detector reports the radar altitude, the Commander orders a terminal descent to x = 0, the
 * Navigator descends near its hover throttle. Its first engine setting is out of range (0.8), to
 * see the tool error come back; it then corrects itself.
 */
function crewModel(): ModelProvider & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  let refused = false;
  return {
    name: 'anthropic',
    requests,
    async complete(request): Promise<ModelResponse> {
      requests.push(request);
      const tools = (request.tools ?? []).map((t) => t.name);
      const facts: Facts = JSON.parse(request.messages[0].content as string);
      const n = requests.length;
      let call: ToolCall;
      if (tools.includes('report')) {
        call = { id: `t${n}`, name: 'report', input: { altitude_m: facts.reading.radarAltitude } };
      } else if (tools.includes('set_orders')) {
        call = {
          id: `t${n}`,
          name: 'set_orders',
          input: { phase: 'terminal', site_x: 0, reason: 'straight down onto the target' },
        };
      } else if (!refused) {
        refused = true;
        call = { id: `t${n}`, name: 'set_engine', input: { throttle: 0.8, pitch_deg: 0 } };
      } else {
        const { vz, altitude, mass } = facts.report;
        const want = -Math.max(1, altitude / 10);
        const accel = 1.62 + 0.5 * (want - vz);
        const throttle = Math.min(Math.max((mass * accel) / MAX_THRUST_N, 0.1), 0.6);
        call = { id: `t${n}`, name: 'set_engine', input: { throttle, pitch_deg: 0 } };
      }
      return {
        text: `step ${facts.step}: ${call.name}`,
        toolCalls: [call],
        stopReason: 'tool_use',
        usage: { ...zeroUsage(), inputTokens: 300 + n, outputTokens: 25, cacheReadTokens: 40 },
        content: [{ type: 'tool_use', ...call }],
        model: request.model ?? 'claude-default',
      };
    },
  };
}

const roleModel = (provider: ModelProvider): LunarRoleModel => ({
  provider,
  model: 'claude-test',
  playbookMarkdown: null,
});

async function fly(team: ModelLunarTeam) {
  const events: SessionEventBody[] = [];
  const run = await flyLanding(scenarioFor('easy', 0), team, {
    onEvents: (e) => void events.push(...e),
  });
  const of = <T extends SessionEventBody['type']>(type: T) =>
    events.filter((e): e is Extract<SessionEventBody, { type: T }> => e.type === type);
  return { run, events, of };
}

describe('ModelLunarTeam', () => {
  it('flies a landing with a model per role, recording every call, tool call and result', async () => {
    const model = crewModel();
    const team = new ModelLunarTeam(
      { detector: roleModel(model), commander: roleModel(model), navigator: roleModel(model) },
      { decideEvery: 5 },
    );
    const { run, of } = await fly(team);
    expect(run.result.status).not.toBe('flying');

    // Every model call is recorded with its role, step and usage (cost accounting).
    const calls = of('model_call');
    expect(calls).toHaveLength(model.requests.length);
    for (const c of calls) {
      expect((c.step ?? -1) % 5).toBe(0);
      expect(c).toMatchObject({
        provider: 'anthropic',
        model: 'claude-test',
        stopReason: 'tool_use',
        usage: { inputTokens: expect.any(Number), outputTokens: 25, cacheReadTokens: 40 },
      });
    }
    const decisions = Math.floor((run.result.steps - 1) / 5) + 1;
    const byRole = (role: string) => calls.filter((c) => c.actor === role).length;
    expect(byRole('detector')).toBe(decisions);
    expect(byRole('commander')).toBe(decisions);
    // The refused setting costs the Navigator one more call at step 0.
    expect(byRole('navigator')).toBe(decisions + 1);
    expect(of('message').filter((m) => m.to === 'team')).toHaveLength(calls.length);

    // Tool calls and results carry the role and step, and ids that say so.
    const results = of('tool_result');
    for (const tc of of('tool_call')) {
      expect(tc.toolCallId).toMatch(new RegExp(`^${tc.actor}-${tc.step}-\\d+$`));
      expect(results.find((r) => r.toolCallId === tc.toolCallId)).toMatchObject({
        actor: tc.actor,
        step: tc.step,
      });
    }
    const nav0 = of('tool_call').filter((c) => c.actor === 'navigator' && c.step === 0);
    expect(nav0.map((c) => [c.toolCallId, c.input])).toEqual([
      ['navigator-0-1', { throttle: 0.8, pitch_deg: 0 }],
      ['navigator-0-2', { throttle: expect.any(Number), pitch_deg: 0 }],
    ]);
    expect(results.find((r) => r.toolCallId === 'navigator-0-1')).toMatchObject({
      isError: true,
      output: expect.stringMatching(/throttle 0\.8 is outside .*0 \(off\), 0\.1 to 0\.6, or 1/),
    });
    // The model saw the refusal and corrected itself in the same decision.
    const retry = model.requests.find((r) => r.messages.length === 3);
    expect(JSON.stringify(retry?.messages[2])).toContain('0.1 to 0.6');
    expect(results.find((r) => r.toolCallId === 'navigator-0-2')).toMatchObject({ isError: false });

    // Between decisions the Navigator holds its setting; the Commander's orders reach it.
    const commands = of('action').filter((a) => a.name === 'command');
    for (const step of [1, 2, 3, 4]) expect(commands[step].params).toEqual(commands[0].params);
    expect(
      of('message').find((m) => m.actor === 'commander' && m.to === 'navigator'),
    ).toMatchObject({ step: 0, content: JSON.stringify({ phase: 'terminal', siteX: 0 }) });
  });

  it('plays the roles without a model with the builtin logic (a mixed team)', async () => {
    const model = crewModel();
    const { run, of } = await fly(new ModelLunarTeam({ commander: roleModel(model) }));
    expect(run.result.status).not.toBe('flying');
    expect(new Set(of('model_call').map((c) => c.actor))).toEqual(new Set(['commander']));
    expect(model.requests.every((r) => r.tools?.[0].name === 'set_orders')).toBe(true);
  });

  it('counts a decision made in the last turn, and flies the builtin logic without one', async () => {
    const model = crewModel();
    const { of } = await fly(new ModelLunarTeam({ navigator: roleModel(model) }, { maxTurns: 1 }));
    // Step 0: the refused setting was the only turn, so the builtin Navigator flies until step 5.
    expect(of('tool_result').filter((r) => r.step === 0)).toMatchObject([
      { toolCallId: 'navigator-0-1', isError: true },
    ]);
    expect(of('observation').filter((o) => o.actor === 'navigator')).toMatchObject([
      { step: 0, data: { fallback: 'builtin', reason: expect.stringContaining('set_engine') } },
    ]);
    const set5 = of('tool_call').find((c) => c.toolCallId === 'navigator-5-1');
    expect(of('tool_result').find((r) => r.toolCallId === 'navigator-5-1')).toMatchObject({
      isError: false,
    });
    const commands = of('action').filter((a) => a.name === 'command');
    expect(commands[5].params).toMatchObject({ throttle: set5?.input.throttle, pitchDeg: 0 });
    expect(commands[9].params).toEqual(commands[5].params);
  });

  it('sends the playbook as a cached system block after the instructions', async () => {
    const model = crewModel();
    const navigator = { ...roleModel(model), playbookMarkdown: '# Playbook\n\nBrake early.' };
    await fly(new ModelLunarTeam({ navigator }, { decideEvery: 50 }));
    expect(model.requests[0].system).toEqual([
      { text: expect.stringContaining('You are the Navigator') },
      { text: '# Playbook\n\nBrake early.', cache: true },
    ]);
    expect(model.requests[0].tools?.[0].inputSchema).toMatchObject({
      required: ['throttle', 'pitch_deg'],
      additionalProperties: false,
    });
  });

  it('lets a model provider error end the landing', async () => {
    const failing: ModelProvider = {
      name: 'anthropic',
      complete: async () => {
        throw new ModelProviderError('overloaded', { provider: 'anthropic', kind: 'unavailable' });
      },
    };
    await expect(fly(new ModelLunarTeam({ detector: roleModel(failing) }))).rejects.toBeInstanceOf(
      ModelProviderError,
    );
  });
});
