import { ENVIRONMENT_ACTOR, TeamLog } from '@reverie/agent-team';
import type { SessionEventBody } from '@reverie/contracts';
import { verticalFuelLimit } from '../fuel-limit';
import { LanderSimulator } from '../simulator';
import type { FlightStatus, Scenario, TelemetrySample, TouchdownReport } from '../types';
import { COMMANDER, DETECTOR, LUNAR_TEAM, NAVIGATOR, type Orders } from './lunar-team';
import { startFeatures } from './features';
import type { LunarTeamPolicy, StepContext } from './team-policy';

const DEG = Math.PI / 180;

/** How a landing ended, as the session's last observation records it. */
export interface LandingResult {
  scenarioId: string;
  family: string;
  status: FlightStatus;
  /** Null when the craft never touched down (aborted, timeout, out of bounds). */
  touchdown: TouchdownReport | null;
  fuelUsed: number;
  /** Fuel a vertical fuel-optimal burn needs from the initial state (the physical limit). */
  fuelLimit: number | null;
  steps: number;
  seconds: number;
  safe: boolean;
  /** What the crew saw at the start (`startFeatures` of the first report): the start features. */
  start?: Record<string, number>;
}

export interface LandingRun {
  result: LandingResult;
  /** One sample per decision step (true state), for plots. */
  telemetry: TelemetrySample[];
}

export interface FlyOptions {
  /** Receives the events of each step as soon as it is done (to publish them as they happen). */
  onEvents?: (events: SessionEventBody[]) => void | Promise<void>;
  /**
   * `false` skips building the session events (no `onEvents` calls), for callers that only need
   * the result and telemetry, such as the dreamer's counterfactual search. Default true.
   */
  record?: boolean;
}

/**
 * `verticalFuelLimit` costs far more than a flight, so it is kept per scenario object, and
 * reused only while that object still serialises the same (a mutated scenario is recomputed).
 */
const fuelLimits = new WeakMap<Scenario, { json: string; limit: number | null }>();
function cachedFuelLimit(scenario: Scenario): number | null {
  const json = JSON.stringify(scenario);
  const hit = fuelLimits.get(scenario);
  if (hit?.json === json) return hit.limit;
  const limit = verticalFuelLimit(scenario);
  fuelLimits.set(scenario, { json, limit });
  return limit;
}

/**
 * Flies one scenario with a team and records everything as session events: the scenario (so the
 * run can be replayed), each step's Detector report to the Commander, the Commander's orders to
 * the Navigator when they change, the Navigator's command with exact values, the craft's true
 * state, and the result with the touchdown report and the fuel against the physical limit.
 * Replaying the scenario with the recorded commands gives the same flight bit for bit.
 */
export async function flyLanding(
  scenario: Scenario,
  team: LunarTeamPolicy,
  options: FlyOptions = {},
): Promise<LandingRun> {
  const sim = LanderSimulator.start(scenario);
  const record = options.record !== false;
  const log = record ? new TeamLog(LUNAR_TEAM) : silentLog();
  const fuelAtStart = scenario.craft.fuelKg;
  const fuelLimit = cachedFuelLimit(scenario);
  const telemetry: TelemetrySample[] = [sim.telemetry()];
  const emit = async () => {
    const events = log.drain();
    if (events.length) await options.onEvents?.(events);
  };
  log.observation(0, ENVIRONMENT_ACTOR, {
    scenario: structuredClone(scenario),
    fuelLimit,
    telemetry: telemetry[0],
  });
  await team.start?.(log);

  let orders: Orders = { phase: 'approach', siteX: scenario.target.x };
  let step = 0;
  let start: Record<string, number> | undefined;
  for (; !sim.done; step++) {
    const ctx: StepContext = { step, t: sim.state.t, fuelAtStart, log };
    const report = await team.detect(ctx, { reading: sim.sense(), scan: () => sim.scan(), orders });
    start ??= startFeatures(report, orders);
    if (record) log.message(step, DETECTOR, COMMANDER, JSON.stringify(roundDeep(report)));

    const decision = await team.command(ctx, { report, orders });
    if (decision.retarget) log.action(step, COMMANDER, 'retarget', { ...decision.retarget });
    if (decision.orders.phase !== orders.phase || decision.orders.siteX !== orders.siteX)
      log.message(step, COMMANDER, NAVIGATOR, JSON.stringify(decision.orders));
    orders = decision.orders;
    if (orders.phase === 'abort') {
      log.action(step, COMMANDER, 'abort', { altitude: report.altitude, fuel: report.fuel });
      sim.abort();
    } else {
      const cmd = await team.navigate(ctx, { report, orders });
      const pitch = cmd.pitchDeg * DEG;
      log.action(step, NAVIGATOR, 'command', {
        throttle: cmd.throttle,
        pitch,
        pitchDeg: cmd.pitchDeg,
      });
      sim.command({ throttle: cmd.throttle, pitch });
      sim.advance();
    }
    const sample = sim.telemetry();
    telemetry.push(sample);
    log.observation(step, ENVIRONMENT_ACTOR, { telemetry: sample });
    await emit();
  }

  const touchdown = sim.touchdown;
  const result: LandingResult = {
    scenarioId: scenario.id,
    family: scenario.family,
    status: sim.status,
    touchdown,
    fuelUsed: fuelAtStart - sim.state.fuel,
    fuelLimit,
    steps: step,
    seconds: sim.state.t,
    safe: touchdown?.verdict === 'safe',
    ...(start && { start }),
  };
  log.observation(step, ENVIRONMENT_ACTOR, { result: structuredClone(result) });
  await emit();
  return { result, telemetry };
}

/** A TeamLog look-alike that keeps nothing (`record: false`): the team may still call it. */
function silentLog(): TeamLog {
  const log = new TeamLog(LUNAR_TEAM);
  const ignore = () => undefined;
  return Object.assign(log, { message: ignore, action: ignore, observation: ignore });
}

/** Numbers rounded for a readable message (the Navigator's commands keep full precision). */
function roundDeep<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'number' ? Math.round(v * 100) / 100 : v,
    ),
  ) as T;
}
