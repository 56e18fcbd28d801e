import { LUNAR_GRAVITY, THROTTLE_FULL } from './constants';
import { stepPhysics } from './physics';
import type { CraftState, Scenario } from './types';

/** Bisection halvings on the ignition time: far more than a double's 52 bits can use. */
const BISECTION_STEPS = 200;

/** The fuel-optimal vertical burn from a scenario's initial state. */
export interface VerticalBurn {
  /** Seconds of free fall before the engine lights at full thrust. */
  ignitionTime: number;
  /** Height above the ground at ignition, m. */
  ignitionAltitude: number;
  /** Vertical velocity at ignition, m/s (negative when descending). */
  ignitionVz: number;
  /** Seconds of full thrust until the vertical speed reaches zero. */
  burnSeconds: number;
  /** Propellant the burn uses, kg. */
  fuelKg: number;
}

/** Where a full-thrust burn lit at `ignitionTime` brings the vertical speed to zero, if it does. */
interface BurnOutcome {
  stops: boolean;
  /** Height where vz reaches 0 (meaningful when `stops`), m. */
  stopAltitude: number;
  ignition: CraftState;
  burnSeconds: number;
  fuelUsed: number;
}

/**
 * The propellant a vertical fuel-optimal landing would need from the scenario's initial altitude,
 * vertical speed and mass: free fall, then full thrust (THROTTLE_FULL) lit so late that the vertical
 * speed reaches zero exactly at the ground. Integrated with the simulator's own `stepPhysics`
 * (horizontal motion ignored, ground taken as level at the initial altitude). `null` when no
 * ignition point works: the engine cannot out-thrust gravity or the propellant runs out first.
 * This is the physical lower bound reported next to the fuel a landing actually used.
 */
export function verticalFuelLimit(scenario: Scenario): number | null {
  return verticalFuelOptimalBurn(scenario)?.fuelKg ?? null;
}

/** The burn behind `verticalFuelLimit`, with its ignition point (for reports and checks). */
export function verticalFuelOptimalBurn(scenario: Scenario): VerticalBurn | null {
  const z0 = scenario.initial.altitude;
  const v0 = scenario.initial.vz;
  const g = LUNAR_GRAVITY;
  const dt = 1 / scenario.timing.physicsHz;
  const start: CraftState = {
    t: 0,
    tick: 0,
    x: 0,
    z: z0,
    vx: 0,
    vz: v0,
    pitch: 0,
    pitchCommand: 0,
    throttle: 0,
    dryMass: scenario.craft.dryMassKg,
    fuel: scenario.craft.fuelKg,
  };

  // Igniting before the apex of a climb is never better; igniting after ground contact is too late.
  let lo = Math.max(0, v0 / g);
  let hi = (v0 + Math.sqrt(v0 * v0 + 2 * g * z0)) / g;
  if (!(z0 >= 0 && Number.isFinite(hi))) return null;
  let best = burnFrom(start, lo, dt);
  if (!(best.stops && best.stopAltitude >= 0)) return null;

  for (let i = 0; i < BISECTION_STEPS; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    const outcome = burnFrom(start, mid, dt);
    if (outcome.stops && outcome.stopAltitude >= 0) {
      lo = mid;
      best = outcome;
    } else {
      hi = mid;
    }
  }
  return {
    ignitionTime: lo,
    ignitionAltitude: best.ignition.z,
    ignitionVz: best.ignition.vz,
    burnSeconds: best.burnSeconds,
    fuelKg: best.fuelUsed,
  };
}

/**
 * Free fall for `ignitionTime` (one exact step: the trapezoid rule is exact without thrust), then
 * full-thrust ticks of `dt` until the vertical speed reaches zero, the ground or the end of the fuel.
 */
function burnFrom(start: CraftState, ignitionTime: number, dt: number): BurnOutcome {
  const coasted = ignitionTime > 0 ? stepPhysics(start, ignitionTime) : start;
  const ignition: CraftState = { ...coasted, throttle: THROTTLE_FULL };
  const failed = (s: CraftState, seconds: number): BurnOutcome => ({
    stops: false,
    stopAltitude: s.z,
    ignition,
    burnSeconds: seconds,
    fuelUsed: start.fuel - s.fuel,
  });

  if (ignition.vz >= 0) {
    return { stops: true, stopAltitude: ignition.z, ignition, burnSeconds: 0, fuelUsed: 0 };
  }
  let s = ignition;
  for (let ticks = 0; ; ticks++) {
    const next = stepPhysics(s, dt);
    if (next.vz >= 0) {
      // Within the tick velocity is linear in time, so position follows the trapezoid rule.
      const f = -s.vz / (next.vz - s.vz);
      const stopAltitude = s.z + s.vz * f * dt + 0.5 * f * f * (next.vz - s.vz) * dt;
      return {
        stops: true,
        stopAltitude,
        ignition,
        burnSeconds: (ticks + f) * dt,
        fuelUsed: start.fuel - (s.fuel + f * (next.fuel - s.fuel)),
      };
    }
    if (next.z <= 0) return failed(next, (ticks + 1) * dt);
    // Descending with an empty tank, or thrust too weak to slow down at all: it will never stop.
    if (next.fuel <= 0 || next.vz <= s.vz) return failed(next, (ticks + 1) * dt);
    s = next;
  }
}
