import {
  COMMANDER,
  COMMANDER_DEFAULTS,
  DETECTOR,
  DETECTOR_DEFAULTS,
  LANDER_STEP_FEATURES,
  MAX_PITCH,
  NAVIGATOR,
  NAVIGATOR_DEFAULTS,
  PHASES,
  ROLE_RULE_SPACES,
  THROTTLE_FULL,
  THROTTLE_MAX_THROTTLED,
  THROTTLE_MIN,
} from '@reverie/lunar-lander';
import type { Action, Scalar } from '@reverie/playbooks-domain';

export type RoleName = typeof DETECTOR | typeof COMMANDER | typeof NAVIGATOR;
export const ROLE_NAMES: readonly RoleName[] = [DETECTOR, COMMANDER, NAVIGATOR];

/** Each role's day-one parameter values, the centre of the `set` grids. */
export const ROLE_DEFAULTS: Readonly<Record<RoleName, Readonly<Record<string, number>>>> = {
  [DETECTOR]: DETECTOR_DEFAULTS,
  [COMMANDER]: COMMANDER_DEFAULTS,
  [NAVIGATOR]: NAVIGATOR_DEFAULTS,
};

/** Multiples of a parameter's default that the `set` grid tries. */
export const SET_FACTORS = [0.25, 0.5, 2, 4] as const;
/** Values tried for a parameter whose default is 0 (where multiples say nothing). */
export const ZERO_DEFAULT_GRID = [0.25, 0.5, 1, 2] as const;

const DEG = 180 / Math.PI;
const THROTTLES = [0, THROTTLE_MIN, 0.2, 0.3, 0.4, 0.5, THROTTLE_MAX_THROTTLED, THROTTLE_FULL];
const maxPitchDeg = Math.round(MAX_PITCH * DEG);

/**
 * Values an action parameter's grid takes, keyed `role.action.param`. Every action parameter of
 * `ROLE_RULE_SPACES` must appear here or be optional (then the action is tried without it); the
 * spec checks that no action of the space is left out.
 */
export const ACTION_PARAM_GRIDS: Readonly<Record<string, readonly Scalar[]>> = {
  'navigator.set_throttle.throttle': THROTTLES,
  'navigator.set_pitch.pitchDeg': [-maxPitchDeg / 2, -15, -5, 0, 5, 15, maxPitchDeg / 2],
  'commander.set_phase.phase': PHASES.filter((p) => p !== 'abort'),
};

/**
 * Actions left out of the search because they can never produce a safe landing: `abort` ends
 * the run without a touchdown (as does `set_phase` to `abort`, left out of its grid).
 */
export const EXCLUDED_ACTIONS: readonly string[] = ['commander.abort'];

/** One action a role may take, as a rule's `then`. */
export interface RoleAction {
  role: RoleName;
  then: Action;
}

/** The `set` grid of one parameter: multiples of its default, whole numbers for integer ones. */
export function setGrid(role: RoleName, param: string): number[] {
  const def = ROLE_DEFAULTS[role][param];
  const raw = def === 0 ? [...ZERO_DEFAULT_GRID] : SET_FACTORS.map((f) => f * def);
  const values =
    Number.isInteger(def) && def !== 0 ? raw.map((v) => Math.max(1, Math.round(v))) : raw;
  return [...new Set(values)].filter((v) => v !== def);
}

/**
 * Every action of the general space: each parameter of each role set to each grid value, and
 * each role action with each combination of its parameter grids (the one-parameter actions of
 * the lander make that one list), in role order.
 */
export function actionGrid(): RoleAction[] {
  const out: RoleAction[] = [];
  for (const role of ROLE_NAMES) {
    const space = ROLE_RULE_SPACES[role];
    for (const param of Object.keys(space.params))
      for (const v of setGrid(role, param))
        out.push({ role, then: { action: 'set', params: { [param]: v } } });
    for (const [action, params] of Object.entries(space.actions)) {
      if (EXCLUDED_ACTIONS.includes(`${role}.${action}`)) continue;
      let combos: Record<string, Scalar>[] = [{}];
      for (const p of Object.keys(params)) {
        const grid = ACTION_PARAM_GRIDS[`${role}.${action}.${p}`];
        if (grid) combos = combos.flatMap((c) => grid.map((v) => ({ ...c, [p]: v })));
      }
      for (const c of combos) {
        const then: Action = Object.keys(c).length ? { action, params: c } : { action };
        if (!space.check?.(action, c)) out.push({ role, then });
      }
    }
  }
  return out;
}

/**
 * The numeric features of one step (`LANDER_STEP_FEATURES`, every one but `phase` and
 * `site_safe`): what the trigger rules search. The start features scope guidance instead
 * (`scopeToStart`).
 */
export const NUMERIC_FEATURES: readonly string[] = Object.keys(LANDER_STEP_FEATURES).filter(
  (f) => f !== 'phase' && f !== 'site_safe',
);

/**
 * Thresholds for a feature when no flight shows it: a coarse grid per unit, from the feature's
 * documented meaning (metres, m/s, seconds, degrees, fractions, counts).
 */
export const FALLBACK_THRESHOLDS: Readonly<Record<string, readonly number[]>> = {
  site_slope_deg: [3, 6, 9],
  site_boulder_height: [0.3, 0.6, 1],
  candidate_count: [1, 2],
  time_to_ground: [5, 15, 40],
  fuel_fraction: [0.1, 0.25, 0.5],
};
const GENERIC_THRESHOLDS = [-10, 0, 10, 100] as const;

export function fallbackThresholds(feature: string): readonly number[] {
  return FALLBACK_THRESHOLDS[feature] ?? GENERIC_THRESHOLDS;
}

/** The `q` quantile (0..1) of sorted values, by linear interpolation. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Rounds to 3 significant digits, so thresholds read well in guidance text. */
export function roundNice(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const p = 10 ** (2 - Math.floor(Math.log10(Math.abs(v))));
  return Math.round(v * p) / p;
}
