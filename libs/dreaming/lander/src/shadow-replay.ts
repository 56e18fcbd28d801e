import { TeamLog } from '@reverie/agent-team';
import type { SessionEventBody } from '@reverie/contracts';
import {
  BuiltinLunarTeam,
  COMMANDER,
  DETECTOR,
  LanderSimulator,
  LUNAR_TEAM,
  NAVIGATOR,
  recordedCommands,
  type DetectorReport,
  type LunarTeamPolicy,
  type Orders,
  type RoleRules,
  type LandingResult,
  type Scenario,
  type StepContext,
} from '@reverie/lunar-lander';
import type { RoleName } from './rule-space';

/** What one role did at one step of a recorded flight, as its events show it. */
export interface RecordedStep {
  report?: DetectorReport;
  /** The orders in force after the Commander's decision at this step. */
  orders: Orders;
  command?: { throttle: number; pitch: number };
  abort?: boolean;
}

/** A role's output at a step that differs from what the reference team decides from the same inputs. */
export interface Divergence {
  step: number;
  role: RoleName;
  /** How far apart, in the role's own units (see `divergenceOf`), over its tolerance: > 1. */
  size: number;
  what: string;
}

/** The per-step record of a landing session: reports, orders after each step, commands. */
export function recordedSteps(
  scenario: Scenario,
  events: readonly SessionEventBody[],
): RecordedStep[] {
  const steps: RecordedStep[] = [];
  let orders: Orders = { phase: 'approach', siteX: scenario.target.x };
  const at = (k: number) => (steps[k] ??= { orders });
  for (const e of events) {
    if (e.step === undefined) continue;
    const s = at(e.step);
    if (e.type === 'message' && e.actor === DETECTOR)
      s.report = JSON.parse(e.content) as DetectorReport;
    if (e.type === 'message' && e.actor === COMMANDER) {
      orders = JSON.parse(e.content) as Orders;
      s.orders = orders;
    } else s.orders = orders;
    if (e.type === 'action' && e.actor === COMMANDER && e.name === 'abort') s.abort = true;
  }
  for (const c of recordedCommands(events))
    if (!('abort' in c)) at(c.step).command = { throttle: c.throttle, pitch: c.pitch };
  return steps;
}

const DEG = 180 / Math.PI;

/** Divergence of each role's output, relative to a tolerance (messages round numbers to 0.01). */
export function reportGap(a: DetectorReport, b: DetectorReport): number {
  return Math.max(
    Math.abs(a.altitude - b.altitude) / 2,
    Math.abs(a.vz - b.vz) / 1,
    Math.abs(a.vx - b.vx) / 1,
    a.site.safe === b.site.safe ? 0 : 1.5,
  );
}
/** The phases in the order of a descent (hover holds where terminal descent would sink). */
const PHASE_RANK: Record<Orders['phase'], number> = {
  approach: 0,
  braking: 1,
  terminal: 2,
  hover: 2,
  abort: 3,
};
/** 2 per phase apart in the order of the descent (2 for two different phases of one rank). */
function phaseGap(a: Orders['phase'], b: Orders['phase']): number {
  return a === b ? 0 : Math.max(2, 2 * Math.abs(PHASE_RANK[a] - PHASE_RANK[b]));
}
export function ordersGap(a: Orders, b: Orders): number {
  return Math.max(phaseGap(a.phase, b.phase), Math.abs(a.siteX - b.siteX) / 5);
}
export function commandGap(
  a: { throttle: number; pitch: number },
  b: { throttle: number; pitch: number },
) {
  return Math.max(
    Math.abs(a.throttle - b.throttle) / 0.08,
    (Math.abs(a.pitch - b.pitch) * DEG) / 3,
  );
}

const silent = (): TeamLog => {
  const log = new TeamLog(LUNAR_TEAM);
  const ignore = () => undefined;
  return Object.assign(log, { message: ignore, action: ignore, observation: ignore });
};

/** Each role's gap to the reference at one step, over its tolerance (absent: the role did not act). */
export type StepGaps = Partial<Record<RoleName, number>>;

export interface ShadowRun {
  divergences: Divergence[];
  /**
   * Every role's gap at every replayed step (index = step), divergent or not: the baseline a
   * team that differs from the reference everywhere is judged against (see `localiseSession`).
   */
  gaps: StepGaps[];
  /**
   * With `takeOverAt`: how the reference team, flying from that step on, ended; `result` is the
   * landing as a session would record it (`fuelLimit` from the options), for a rubric's judge.
   */
  takeover: {
    safe: boolean;
    distance: number | null;
    fuelUsed: number;
    result: LandingResult;
  } | null;
}

/**
 * Replays a recorded landing with a reference team in its shadow: at every step each role of the
 * reference decides from the same inputs the recorded role had (the Detector from the same
 * sensors, the Commander from the recorded report and previous orders, the Navigator from the
 * recorded report and orders), and every output that differs beyond its tolerance is a
 * divergence. The craft follows the recorded commands, so the shadow sees the flight as it was;
 * with `takeOverAt` the reference team flies from that step on instead (a counterfactual).
 */
export async function shadowReplay(
  scenario: Scenario,
  recorded: readonly RecordedStep[],
  reference: RoleRules,
  takeOverAt?: number,
  options: { fuelLimit?: number | null } = {},
): Promise<ShadowRun> {
  const sim = LanderSimulator.start(scenario);
  const team: LunarTeamPolicy = new BuiltinLunarTeam(reference);
  const log = silent();
  const divergences: Divergence[] = [];
  const gaps: StepGaps[] = [];
  let orders: Orders = { phase: 'approach', siteX: scenario.target.x };
  for (let step = 0; !sim.done; step++) {
    const rec = recorded[step];
    const own = takeOverAt !== undefined && step >= takeOverAt;
    if (!rec && !own) break;
    const ctx: StepContext = { step, t: sim.state.t, fuelAtStart: scenario.craft.fuelKg, log };
    const report = await team.detect(ctx, { reading: sim.sense(), scan: () => sim.scan(), orders });
    const at = (gaps[step] ??= {});
    if (!own && rec.report) {
      const gap = reportGap(report, rec.report);
      at[DETECTOR] = gap;
      if (gap > 1) divergences.push({ step, role: DETECTOR, size: gap, what: 'report' });
    }
    const usedReport = own ? report : (rec.report ?? report);
    const decision = await team.command(ctx, { report: usedReport, orders });
    if (!own) {
      const gap = rec.abort
        ? decision.orders.phase === 'abort'
          ? 0
          : 2
        : ordersGap(decision.orders, rec.orders);
      at[COMMANDER] = gap;
      if (gap > 1) divergences.push({ step, role: COMMANDER, size: gap, what: 'orders' });
    }
    orders = own ? decision.orders : rec.orders;
    if (own ? orders.phase === 'abort' : rec.abort) {
      sim.abort();
      break;
    }
    const cmd = await team.navigate(ctx, { report: usedReport, orders });
    const mine = { throttle: cmd.throttle, pitch: cmd.pitchDeg / DEG };
    if (!own && rec.command) {
      const gap = commandGap(mine, rec.command);
      at[NAVIGATOR] = gap;
      if (gap > 1) divergences.push({ step, role: NAVIGATOR, size: gap, what: 'command' });
    }
    const applied = own ? mine : rec.command;
    if (!applied) break;
    sim.command(applied);
    sim.advance();
  }
  const td = sim.touchdown;
  const fuelUsed = scenario.craft.fuelKg - sim.state.fuel;
  return {
    divergences,
    gaps,
    takeover:
      takeOverAt === undefined
        ? null
        : {
            safe: td?.verdict === 'safe',
            distance: td ? td.distanceToTarget : null,
            fuelUsed,
            result: {
              scenarioId: scenario.id,
              family: scenario.family,
              status: sim.status,
              touchdown: td,
              fuelUsed,
              fuelLimit: options.fuelLimit ?? null,
              steps: sim.step,
              seconds: sim.state.t,
              safe: td?.verdict === 'safe',
            },
          },
  };
}
