import {
  BuiltinLunarTeam,
  COMMANDER,
  DETECTOR,
  LUNAR_GRAVITY,
  MAX_THRUST_N,
  NAVIGATOR,
  type CommanderDecision,
  type DetectorReport,
  type LunarTeamPolicy,
  type NavigatorCommand,
  type Orders,
  type Phase,
  type StepContext,
} from '@reverie/lunar-lander';
import type { TeamLog } from '@reverie/agent-team';
import {
  runToolLoop,
  type ModelProvider,
  type SystemBlock,
  type ToolCall,
  type ToolResultBlock,
} from '@reverie/models';
import { checkInput, instructions, toolDefinitions, type LunarRole } from './lunar-role-tools';

export type { LunarRole };

/** How one role's model is called. */
export interface LunarRoleModel {
  provider: ModelProvider;
  model?: string;
  maxTokens?: number;
  /** The role's playbook rendered for a model, sent as a cached system block; null: none yet. */
  playbookMarkdown: string | null;
}

export interface ModelLunarTeamOptions {
  /** Steps between model decisions (step 0 always decides); a role holds its decision between. */
  decideEvery?: number;
  /** Tool-loop turns (model calls) per role per decision. */
  maxTurns?: number;
  /** On a revision: the grader's explanation of what the last attempt got wrong. */
  feedback?: string;
  /** Plays the roles without a model, and gives the Detector its numbers at every step. */
  builtin?: BuiltinLunarTeam;
}

export const MODEL_TEAM_DEFAULTS = { decideEvery: 5, maxTurns: 3 };

/** Thrown from the tool hook to leave the loop once a role has decided. */
const DECIDED = Symbol('decided');

/**
 * The lunar team with models in its seats: each role with a model decides every `decideEvery`
 * steps through a short tool loop (its instructions, its playbook as a cached block, what it
 * knows as JSON) and holds that decision in between; roles without a model are the builtin
 * team's. Every model call is recorded with its usage, every tool call and result with the role
 * and step. A role that makes no valid decision is flown by its builtin logic until its next one,
 * recorded as a `fallback` observation. A provider error propagates and ends the session.
 */
export class ModelLunarTeam implements LunarTeamPolicy {
  private readonly decideEvery: number;
  private readonly maxTurns: number;
  private readonly builtin: BuiltinLunarTeam;
  private readonly feedback: string | null;
  private site: { x: number; safe: boolean } | null = null;
  private note: string | null = null;
  private holdsOrders = false;
  private engine: NavigatorCommand | null = null;

  constructor(
    private readonly models: Partial<Record<LunarRole, LunarRoleModel>>,
    options: ModelLunarTeamOptions = {},
  ) {
    this.decideEvery = options.decideEvery ?? MODEL_TEAM_DEFAULTS.decideEvery;
    this.maxTurns = options.maxTurns ?? MODEL_TEAM_DEFAULTS.maxTurns;
    for (const [k, v] of Object.entries({ decideEvery: this.decideEvery, maxTurns: this.maxTurns }))
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`${k} must be a positive integer, got ${v}`);
    this.builtin = options.builtin ?? new BuiltinLunarTeam();
    this.feedback = options.feedback ?? null;
  }

  start(log: TeamLog): void {
    this.builtin.start(log);
  }

  async detect(
    ctx: StepContext,
    input: Parameters<LunarTeamPolicy['detect']>[1],
  ): Promise<DetectorReport> {
    // The sensors flow every step: the builtin Detector's numbers, then the model's judgement.
    let report = await this.builtin.detect(ctx, input);
    if (this.models[DETECTOR] && this.decides(ctx.step)) {
      const r = report;
      const facts = {
        reading: {
          radarAltitude: input.reading.radarAltitude,
          vx: r.vx,
          vz: r.vz,
          x: r.x,
          fuel: r.fuel,
          mass: r.mass,
          pitchDeg: r.pitchDeg,
        },
        scan: { scannedNow: r.scanned, site: r.site, safeCandidates: r.candidates },
      };
      const said = await this.decide(DETECTOR, ctx, facts, { report: (v) => v });
      this.site =
        typeof said?.site_safe === 'boolean' ? { x: r.site.x, safe: said.site_safe } : null;
      this.note = typeof said?.note === 'string' ? said.note : null;
      if (said) report = { ...r, altitude: said.altitude_m as number };
    }
    // A judgement is about one site: a retarget makes it moot.
    if (this.site?.x === report.site.x)
      report = { ...report, site: { ...report.site, safe: this.site.safe } };
    return report;
  }

  async command(
    ctx: StepContext,
    input: { report: DetectorReport; orders: Orders },
  ): Promise<CommanderDecision> {
    if (!this.models[COMMANDER]) return this.builtin.command(ctx, input);
    if (!this.decides(ctx.step))
      return this.holdsOrders
        ? { orders: input.orders, retarget: null }
        : this.builtin.command(ctx, input);
    const from = input.orders.siteX;
    const facts = {
      detectorReport: input.report,
      detectorNote: this.note,
      orders: input.orders,
      fuelAtStartKg: ctx.fuelAtStart,
    };
    const decision = await this.decide(COMMANDER, ctx, facts, {
      set_orders: (v): CommanderDecision => {
        const to = v.site_x as number;
        const reason = v.reason as string;
        return {
          orders: { phase: v.phase as Phase, siteX: to },
          retarget: to !== from ? { from, to, reason } : null,
        };
      },
      abort: (): CommanderDecision => ({ orders: { phase: 'abort', siteX: from }, retarget: null }),
    });
    this.holdsOrders = decision !== null;
    return decision ?? this.builtin.command(ctx, input);
  }

  async navigate(
    ctx: StepContext,
    input: { report: DetectorReport; orders: Orders },
  ): Promise<NavigatorCommand> {
    if (!this.models[NAVIGATOR]) return this.builtin.navigate(ctx, input);
    if (this.decides(ctx.step)) {
      const facts = {
        ...input,
        currentCommand: this.engine,
        hoverThrottle: (input.report.mass * LUNAR_GRAVITY) / MAX_THRUST_N,
      };
      this.engine = await this.decide(NAVIGATOR, ctx, facts, {
        set_engine: (v) => ({ throttle: v.throttle as number, pitchDeg: v.pitch_deg as number }),
      });
    }
    return this.engine ?? this.builtin.navigate(ctx, input);
  }

  private decides(step: number): boolean {
    return step % this.decideEvery === 0;
  }

  /**
   * One decision of a role: a fresh tool loop over what it knows. Returns the last valid decision
   * its tools produced, or null (recorded as a fallback) when it made none.
   */
  private async decide<T>(
    role: LunarRole,
    ctx: StepContext,
    facts: Record<string, unknown>,
    decisions: Record<string, (input: Record<string, unknown>) => T>,
  ): Promise<T | null> {
    const settings = this.models[role] as LunarRoleModel;
    const { step, log } = ctx;
    const system: SystemBlock[] = [{ text: instructions(role, this.decideEvery) }];
    if (settings.playbookMarkdown) system.push({ text: settings.playbookMarkdown, cache: true });
    if (this.feedback)
      system.push({
        text: `The last attempt at this landing was graded and needs revision:\n${this.feedback}`,
      });
    // An object, so that what the tool handlers set is not narrowed away after the loop.
    const state: { decision: T | null; calls: readonly ToolCall[]; n: number } = {
      decision: null,
      calls: [],
      n: 0,
    };
    const handlers = Object.fromEntries(
      Object.entries(decisions).map(([name, decideFrom]) => [
        name,
        async (input: unknown) => {
          state.decision = decideFrom(checkInput(role, name, input));
          return { accepted: input, holdsUntilStep: step + this.decideEvery };
        },
      ]),
    );
    const record = (call: ToolCall, result: ToolResultBlock) => {
      const toolCallId = `${role}-${step}-${++state.n}`;
      const input = isObject(call.input) ? call.input : { value: call.input };
      log.toolCall(step, role, { toolCallId, name: call.name, input });
      log.toolResult(step, role, {
        toolCallId,
        output: parseJson(result.content),
        isError: result.isError ?? false,
      });
    };
    try {
      const loop = await runToolLoop(
        settings.provider,
        {
          system,
          messages: [
            { role: 'user', content: JSON.stringify(rounded({ step, t: ctx.t, ...facts })) },
          ],
          tools: toolDefinitions(role),
          model: settings.model,
          maxTokens: settings.maxTokens,
        },
        handlers,
        {
          maxTurns: this.maxTurns,
          onCall: (usage, _turn, response) => {
            state.calls = response.toolCalls;
            log.modelCall(step, role, {
              provider: settings.provider.name,
              model: response.model,
              usage,
              stopReason: response.stopReason,
            });
            if (response.text) log.message(step, role, 'team', response.text);
          },
          onToolResult: (call, result) => {
            record(call, result);
            // Each decision is a fresh conversation: once the turn's calls have run and one was
            // a valid decision, asking the model again would only spend tokens on "done".
            if (state.decision !== null && call === state.calls.at(-1)) throw DECIDED;
          },
        },
      );
      // The loop leaves the last turn's calls unrun (it could not send their results back); a
      // decision needs no answer, so they still count (with maxTurns 1 they are the only ones).
      if (loop.stoppedBy === 'max_turns')
        for (const call of loop.response.toolCalls) record(call, await runCall(handlers, call));
    } catch (err) {
      if (err !== DECIDED) throw err;
    }
    if (state.decision === null)
      log.observation(step, role, {
        fallback: 'builtin',
        reason: `the model made no valid ${Object.keys(decisions).join(' or ')} call in ${this.maxTurns} turn(s)`,
      });
    return state.decision;
  }
}

/** One tool call run as the tool loop runs it: a refused input is an error result. */
async function runCall(
  handlers: Record<string, (input: unknown) => Promise<unknown>>,
  call: ToolCall,
): Promise<ToolResultBlock> {
  const result = { type: 'tool_result' as const, toolUseId: call.id };
  const handler = Object.hasOwn(handlers, call.name) ? handlers[call.name] : undefined;
  if (!handler)
    return {
      ...result,
      isError: true,
      content: `unknown tool "${call.name}"; the tools are: ${Object.keys(handlers).join(', ')}`,
    };
  try {
    return { ...result, content: JSON.stringify(await handler(call.input)) };
  } catch (err) {
    return {
      ...result,
      isError: true,
      content: `tool "${call.name}" failed: ${(err as Error).message}`,
    };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

/** Numbers to two decimals: the model reads less, and noise digits mean nothing to it. */
function rounded<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'number' ? Math.round(v * 100) / 100 : v,
    ),
  ) as T;
}
