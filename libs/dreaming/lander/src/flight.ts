import {
  BuiltinLunarTeam,
  flyLanding,
  LanderFeatureTracker,
  type LandingResult,
  type LunarTeamPolicy,
  type RoleRules,
  type Scenario,
  type StepContext,
} from '@reverie/lunar-lander';
import { evaluate, type PlaybookRule } from '@reverie/playbooks-domain';
import type { RoleName } from './rule-space';

/** The features one role's rules were evaluated against at one decision step. */
export type FeatureSnapshot = Readonly<Record<string, string | number | boolean>>;

/**
 * What every role saw at each step of a flight, exactly as the builtin team evaluates its rules:
 * the Detector sees the previous step's features (after that step's orders; none at step 0), the
 * Commander this step's report with the previous orders, the Navigator this step's report with
 * the new orders (no Navigator entry at a step the Commander aborted).
 */
export interface FeatureTrace {
  detector: FeatureSnapshot[];
  commander: FeatureSnapshot[];
  navigator: (FeatureSnapshot | null)[];
}

export interface TracedFlight {
  result: LandingResult;
  trace: FeatureTrace;
}

/** Wraps a team and records the features its rules see; the flight itself is unchanged. */
class TracingTeam implements LunarTeamPolicy {
  readonly trace: FeatureTrace = { detector: [], commander: [], navigator: [] };
  private last: FeatureSnapshot = {};
  private readonly tracker = new LanderFeatureTracker();

  constructor(private readonly inner: LunarTeamPolicy) {}

  start: LunarTeamPolicy['start'] = (log) => this.inner.start?.(log);

  async detect(ctx: StepContext, input: Parameters<LunarTeamPolicy['detect']>[1]) {
    this.trace.detector[ctx.step] = this.last;
    const report = await this.inner.detect(ctx, input);
    this.last = this.tracker.of(ctx.step, ctx.t, report, input.orders, ctx.fuelAtStart);
    this.trace.commander[ctx.step] = this.last;
    this.trace.navigator[ctx.step] = null;
    return report;
  }

  async command(ctx: StepContext, input: Parameters<LunarTeamPolicy['command']>[1]) {
    const decision = await this.inner.command(ctx, input);
    this.last = this.tracker.of(ctx.step, ctx.t, input.report, decision.orders, ctx.fuelAtStart);
    return decision;
  }

  async navigate(ctx: StepContext, input: Parameters<LunarTeamPolicy['navigate']>[1]) {
    this.trace.navigator[ctx.step] = this.last;
    return this.inner.navigate(ctx, input);
  }
}

/** Flies the builtin team with `rules` without recording session events, keeping the trace. */
export async function flyTraced(scenario: Scenario, rules: RoleRules): Promise<TracedFlight> {
  // A flight is ~20 ms of CPU; let timers and I/O (leases, Kafka heartbeats, health) run between
  // flights, since a dream flies thousands of them in a service's event loop.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const team = new TracingTeam(new BuiltinLunarTeam(rules));
  const { result } = await flyLanding(scenario, team, { record: false });
  return { result, trace: team.trace };
}

/**
 * Whether `rule`, followed by `role`, would fire at some step of a traced flight. When it would
 * not, adding it changes nothing (a rule acts only when its condition holds, and until it first
 * acts the flight is the same), so the traced result stands without flying again.
 */
export function wouldFire(rule: Pick<PlaybookRule, 'when'>, role: RoleName, trace: FeatureTrace) {
  return trace[role].some((f) => f !== null && f !== undefined && evaluate(rule.when, f));
}

/** Counts flights against a budget; every `flyTraced` the dreamer makes goes through one. */
export class SimulationBudget {
  spent = 0;
  constructor(
    readonly max: number,
    /** Told after each flight how many have been flown (a dream's progress). */
    private readonly onFlown?: (spent: number, max: number) => void | Promise<void>,
  ) {}
  get left(): number {
    return Math.max(0, this.max - this.spent);
  }
  async fly(scenario: Scenario, rules: RoleRules): Promise<TracedFlight | null> {
    if (this.spent >= this.max) return null;
    this.spent++;
    const flight = flyTraced(scenario, rules);
    await this.onFlown?.(this.spent, this.max);
    return flight;
  }
}

/** Safe landings and mean fuel used / vertical fuel-optimal limit over them (null: none). */
export interface FlightScore {
  safe: number;
  flights: number;
  safeRate: number;
  meanFuelOverLimit: number | null;
}

export function scoreResults(results: readonly LandingResult[]): FlightScore {
  const safe = results.filter((r) => r.safe);
  const ratios = safe.filter((r) => r.fuelLimit).map((r) => r.fuelUsed / (r.fuelLimit as number));
  return {
    safe: safe.length,
    flights: results.length,
    safeRate: results.length ? safe.length / results.length : 0,
    meanFuelOverLimit: ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : null,
  };
}

/** `current` with `extra` rules appended to each role's list (the extra rules come last). */
export function withRules(
  current: RoleRules,
  extra: readonly { role: RoleName; rule: PlaybookRule }[],
): RoleRules {
  const out: Record<string, PlaybookRule[]> = {};
  for (const [role, rules] of Object.entries(current)) out[role] = [...(rules ?? [])];
  for (const { role, rule } of extra) (out[role] ??= []).push(rule);
  return out as RoleRules;
}
