import type { SessionEventBody } from '@reverie/contracts';
import {
  COMMANDER,
  NAVIGATOR,
  type RoleRules,
  type Scenario,
  type TelemetrySample,
} from '@reverie/lunar-lander';
import type { RoleName } from './rule-space';
import { recordedSteps, shadowReplay } from './shadow-replay';

/** Where a failure started, from evidence other than a one-rule counterfactual. */
export interface StepLocalisation {
  step: number;
  role: RoleName;
  method: 'divergence-replay' | 'family-divergence';
  /** 0..1: how sure the localiser is (see each method). */
  confidence: number;
  detail: string;
  simulations: number;
}

/**
 * Localises a failed landing by where its team left the reference team's decisions: a shadow
 * replay (see `shadowReplay`) lists every step where a role's output differs from what the
 * reference (the builtin team with the rules in force) decides from the same inputs; then, for
 * the divergent steps in order, the reference takes over from that step. The first step from
 * which it lands safely is where the failure started (confidence 0.9): what came before was
 * recoverable, and the deviation there was not needed. When no takeover lands, the first
 * divergence is named with confidence 0.4. Null when the flight never diverges (the team flew
 * as the reference would: replay of this kind has nothing to say, use the counterfactual search).
 */
export async function localiseByShadowReplay(
  scenario: Scenario,
  events: readonly SessionEventBody[],
  reference: RoleRules,
  options: { maxTakeovers?: number } = {},
): Promise<StepLocalisation | null> {
  const recorded = recordedSteps(scenario, events);
  const { divergences } = await shadowReplay(scenario, recorded, reference);
  let simulations = 1;
  if (!divergences.length) return null;
  const firstPerStep = divergences.filter((d, i) => i === 0 || divergences[i - 1].step !== d.step);
  for (const d of firstPerStep.slice(0, options.maxTakeovers ?? 8)) {
    const run = await shadowReplay(scenario, recorded, reference, d.step);
    simulations++;
    if (run.takeover?.safe)
      return {
        step: d.step,
        role: d.role,
        method: 'divergence-replay',
        confidence: 0.9,
        detail: `the ${d.role}'s ${d.what} at step ${d.step} departs from the reference team's (${d.size.toFixed(1)}x its tolerance); the reference flying from there lands safely`,
        simulations,
      };
  }
  const d = firstPerStep[0];
  return {
    step: d.step,
    role: d.role,
    method: 'divergence-replay',
    confidence: 0.4,
    detail: `the ${d.role}'s ${d.what} first departs from the reference team's at step ${d.step}; no takeover from a divergent step landed`,
    simulations,
  };
}

/** The telemetry samples of a landing session, by step. */
export function telemetryOf(events: readonly SessionEventBody[]): TelemetrySample[] {
  const out: TelemetrySample[] = [];
  for (const e of events)
    if (
      e.type === 'observation' &&
      e.actor === 'environment' &&
      e.data.telemetry &&
      e.step !== undefined
    )
      out[e.step] = e.data.telemetry as TelemetrySample;
  return out.filter(Boolean);
}

/** Which flown quantity a failed criterion is about, and the role that controls it. */
const CRITERION_AXES: Record<string, { axis: 'vz' | 'vx' | 'distance' | 'fuel'; role: RoleName }> =
  {
    'soft-touchdown': { axis: 'vz', role: NAVIGATOR },
    hard: { axis: 'vz', role: NAVIGATOR },
    crashed: { axis: 'vz', role: NAVIGATOR },
    safe: { axis: 'vz', role: NAVIGATOR },
    'no-skid': { axis: 'vx', role: NAVIGATOR },
    upright: { axis: 'vx', role: NAVIGATOR },
    tipped: { axis: 'vx', role: NAVIGATOR },
    'near-site': { axis: 'distance', role: COMMANDER },
    hazard: { axis: 'distance', role: COMMANDER },
    'level-ground': { axis: 'distance', role: COMMANDER },
    'clear-of-boulders': { axis: 'distance', role: COMMANDER },
    frugal: { axis: 'fuel', role: NAVIGATOR },
    'fuel-left': { axis: 'fuel', role: NAVIGATOR },
    out_of_fuel: { axis: 'fuel', role: NAVIGATOR },
  };

/**
 * For failures replay cannot place: compares the failed flight with a successful flight of the
 * same family at the same share of the descent (altitude over the starting altitude) on the
 * quantity the first failed criterion is about (sink rate, drift, distance to the site, fuel
 * burned), and names the first step where the failed flight leaves the success's value by more
 * than the tolerance, and the role that controls that quantity. Confidence 0.3 (it is a
 * correlation, not a counterfactual), 0.15 when the flights never part beyond the tolerance (the
 * last step is named).
 */
export function localiseFromFamily(
  failed: readonly SessionEventBody[],
  success: readonly SessionEventBody[],
  failedCriteria: readonly string[],
  targets: { failed: number; success: number },
): StepLocalisation | null {
  const a = telemetryOf(failed);
  const b = telemetryOf(success);
  if (a.length < 2 || b.length < 2) return null;
  const which = failedCriteria.map((c) => CRITERION_AXES[c]).find(Boolean) ?? CRITERION_AXES.safe;
  const value = (s: TelemetrySample, start: TelemetrySample, target: number) =>
    which.axis === 'vz'
      ? s.vz
      : which.axis === 'vx'
        ? s.vx
        : which.axis === 'distance'
          ? Math.abs(target - s.x)
          : start.fuel - s.fuel;
  const tolerance = { vz: 5, vx: 3, distance: 100, fuel: 40 }[which.axis];
  const h0a = a[0].altitude;
  const h0b = b[0].altitude;
  for (let i = 1; i < a.length; i++) {
    const share = a[i].altitude / h0a;
    const j = b.findIndex((s) => s.altitude / h0b <= share);
    const peer = b[j === -1 ? b.length - 1 : j];
    const gap = Math.abs(value(a[i], a[0], targets.failed) - value(peer, b[0], targets.success));
    if (gap > tolerance)
      return {
        step: i,
        role: which.role,
        method: 'family-divergence',
        confidence: 0.3,
        detail: `${which.axis} leaves a successful flight of the family by ${gap.toFixed(1)} at step ${i} (same share of the descent)`,
        simulations: 0,
      };
  }
  return {
    step: a.length - 1,
    role: which.role,
    method: 'family-divergence',
    confidence: 0.15,
    detail: `${which.axis} stays within ${tolerance} of a successful flight; the last step is named`,
    simulations: 0,
  };
}
