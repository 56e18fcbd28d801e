import { M } from './fast-math';
import {
  BOULDER_CLEARANCE,
  CRASH_VERTICAL_SPEED,
  FOOTPRINT_HALF_WIDTH,
  MAX_GROUND_SLOPE,
  MAX_TOUCHDOWN_HORIZONTAL_SPEED,
  MAX_TOUCHDOWN_TILT,
  MAX_TOUCHDOWN_VERTICAL_SPEED,
} from './constants';
import type { Terrain } from './terrain';
import type { TouchdownReport, TouchdownViolation } from './types';

const RAD_TO_DEG = 180 / M.PI;

/** The craft at the instant of contact, and what the report needs besides. */
export interface TouchdownInput {
  t: number;
  x: number;
  vx: number;
  vz: number;
  pitch: number;
  /** Propellant left at contact, kg; 0 means it ran out before touchdown. */
  fuel: number;
  fuelAtStart: number;
  targetX: number;
  terrain: Pick<Terrain, 'slopeAt' | 'bouldersNear'>;
}

/**
 * Judges a touchdown against the landing gear's limits. Every broken limit is listed; the verdict
 * is the worst of them: `crashed` (vertical speed beyond CRASH_VERTICAL_SPEED) > `out_of_fuel` >
 * `hard` (vertical speed) > `tipped` (tilt, slope or horizontal speed) > `hazard` (boulder) > `safe`.
 */
export function classifyTouchdown(input: TouchdownInput): TouchdownReport {
  const verticalSpeed = M.abs(input.vz);
  const horizontalSpeed = M.abs(input.vx);
  const tilt = M.abs(input.pitch);
  const slope = input.terrain.slopeAt(input.x, FOOTPRINT_HALF_WIDTH);
  const boulderHeight = input.terrain
    .bouldersNear(input.x, FOOTPRINT_HALF_WIDTH)
    .reduce((tallest, b) => M.max(tallest, b.height), 0);
  const outOfFuel = input.fuel <= 0;

  const violations: TouchdownViolation[] = [];
  if (verticalSpeed > MAX_TOUCHDOWN_VERTICAL_SPEED) violations.push('vertical_speed');
  if (horizontalSpeed > MAX_TOUCHDOWN_HORIZONTAL_SPEED) violations.push('horizontal_speed');
  if (tilt > MAX_TOUCHDOWN_TILT) violations.push('tilt');
  if (slope > MAX_GROUND_SLOPE) violations.push('slope');
  if (boulderHeight > BOULDER_CLEARANCE) violations.push('boulder');
  if (outOfFuel) violations.push('out_of_fuel');

  return {
    verdict: verdictOf(verticalSpeed, violations),
    violations,
    t: input.t,
    x: input.x,
    verticalSpeed,
    horizontalSpeed,
    tiltDeg: tilt * RAD_TO_DEG,
    slopeDeg: slope * RAD_TO_DEG,
    boulderHeight,
    fuelUsed: input.fuelAtStart - input.fuel,
    fuelLeft: input.fuel,
    distanceToTarget: M.abs(input.x - input.targetX),
  };
}

function verdictOf(
  verticalSpeed: number,
  violations: readonly TouchdownViolation[],
): TouchdownReport['verdict'] {
  const has = (v: TouchdownViolation) => violations.includes(v);
  if (verticalSpeed > CRASH_VERTICAL_SPEED) return 'crashed';
  if (has('out_of_fuel')) return 'out_of_fuel';
  if (has('vertical_speed')) return 'hard';
  if (has('tilt') || has('slope') || has('horizontal_speed')) return 'tipped';
  if (has('boulder')) return 'hazard';
  return 'safe';
}
