import { M } from '../fast-math';
import type { DetectorReport, Orders } from './lunar-team';

/**
 * The observable features of one step a playbook rule's `when` can test, the same for every role.
 * All come from what the team knows at the step (sensor readings and the Detector's report),
 * never from the simulator's true state, so a rule can only use what a crew could see.
 */
export const LANDER_STEP_FEATURES: Readonly<Record<string, string>> = {
  step: 'decision step (0 at the start)',
  t: 'seconds since the start',
  altitude: "the Detector's altitude estimate, m",
  vx: 'horizontal speed (sensor), m/s, positive downrange',
  vz: 'vertical speed (sensor), m/s, negative descending',
  speed: 'total speed, m/s',
  time_to_ground: 'altitude / descent speed, s (absent when not descending)',
  x: 'position along the ground track, m',
  site_x: 'the chosen site, m',
  site_distance: 'site_x - x, m',
  abs_site_distance: '|site_x - x|, m',
  site_safe: 'whether the latest scan judged the site safe (absent until scanned)',
  site_slope_deg: 'ground slope across the footprint at the site, degrees',
  site_boulder_height: 'tallest boulder seen under the footprint at the site, m',
  candidate_count: 'safe candidate sites reported',
  fuel: 'propellant left, kg',
  fuel_fraction: 'propellant left / propellant at the start',
  mass: 'current mass, kg',
  pitch_deg: 'tilt of the thrust axis from vertical, degrees',
  phase: 'the current phase (approach, braking, terminal, hover, abort)',
};

/**
 * What the crew saw at the start of the descent (the Detector's first report and the planned
 * site), the same at every step of a flight: a rule can hold for one kind of approach only (a
 * high gate, a long way to the site) and leave the others as they fly.
 */
export const LANDER_START_FEATURES: Readonly<Record<string, string>> = {
  start_altitude: "the Detector's first altitude estimate, m",
  start_vx: 'horizontal speed at the start (sensor), m/s',
  start_vz: 'vertical speed at the start (sensor), m/s',
  start_speed: 'total speed at the start, m/s',
  start_site_distance: 'planned site minus position at the start, m',
  start_abs_site_distance: '|planned site minus position| at the start, m',
  start_fuel: 'propellant at the start, kg',
  start_mass: 'mass at the start, kg',
  start_engine_lag: "the engine's throttle lag (its gauge), s; 0 for an engine without one",
};

/** Every feature a rule can test: the step's and the start's. */
export const LANDER_FEATURES: Readonly<Record<string, string>> = {
  ...LANDER_STEP_FEATURES,
  ...LANDER_START_FEATURES,
};

/** The start features (`LANDER_START_FEATURES`) of a flight, from its first report and orders. */
export function startFeatures(report: DetectorReport, orders: Orders): Record<string, number> {
  return {
    start_altitude: report.altitude,
    start_vx: report.vx,
    start_vz: report.vz,
    start_speed: M.hypot(report.vx, report.vz),
    start_site_distance: orders.siteX - report.x,
    start_abs_site_distance: M.abs(orders.siteX - report.x),
    start_fuel: report.fuel,
    start_mass: report.mass,
    start_engine_lag: report.engine?.lagSeconds ?? 0,
  };
}

/**
 * The features a team's rules see, step after step: each step's (`landerFeatures`) and the
 * start's, taken from the first report it is given (one tracker a flight).
 */
export class LanderFeatureTracker {
  private start: Record<string, number> | null = null;

  /** `landerFeatures` of the step, with the start's. */
  of(...args: Parameters<typeof landerFeatures>): Record<string, string | number | boolean> {
    const [, , report, orders] = args;
    this.start ??= startFeatures(report, orders);
    return { ...landerFeatures(...args), ...this.start };
  }
}

export function landerFeatures(
  step: number,
  t: number,
  report: DetectorReport,
  orders: Orders,
  fuelAtStart: number,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    step,
    t,
    altitude: report.altitude,
    vx: report.vx,
    vz: report.vz,
    speed: M.hypot(report.vx, report.vz),
    x: report.x,
    site_x: orders.siteX,
    site_distance: orders.siteX - report.x,
    abs_site_distance: M.abs(orders.siteX - report.x),
    candidate_count: report.candidates.length,
    fuel: report.fuel,
    fuel_fraction: fuelAtStart > 0 ? report.fuel / fuelAtStart : 0,
    mass: report.mass,
    pitch_deg: report.pitchDeg,
    phase: orders.phase,
  };
  if (report.vz < 0) out.time_to_ground = report.altitude / -report.vz;
  if (report.site.safe !== null) out.site_safe = report.site.safe;
  if (report.site.slopeDeg !== null) out.site_slope_deg = report.site.slopeDeg;
  if (report.site.boulderHeight !== null) out.site_boulder_height = report.site.boulderHeight;
  return out;
}
