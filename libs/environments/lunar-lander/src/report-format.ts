import {
  BOULDER_CLEARANCE,
  MAX_GROUND_SLOPE,
  MAX_TOUCHDOWN_HORIZONTAL_SPEED,
  MAX_TOUCHDOWN_TILT,
  MAX_TOUCHDOWN_VERTICAL_SPEED,
} from './constants';
import type { TouchdownReport, TouchdownViolation } from './types';

const DEG = 180 / Math.PI;

/** The gear's limits in the units a report prints: m/s, degrees, metres. */
export const TOUCHDOWN_LIMITS = {
  verticalSpeed: MAX_TOUCHDOWN_VERTICAL_SPEED,
  horizontalSpeed: MAX_TOUCHDOWN_HORIZONTAL_SPEED,
  tiltDeg: MAX_TOUCHDOWN_TILT * DEG,
  slopeDeg: MAX_GROUND_SLOPE * DEG,
  boulderHeight: BOULDER_CLEARANCE,
} as const;

const VERDICTS: Record<TouchdownReport['verdict'], string> = {
  safe: 'SAFE',
  hard: 'HARD',
  tipped: 'TIPPED',
  hazard: 'HAZARD',
  crashed: 'CRASHED',
  out_of_fuel: 'OUT OF FUEL',
};

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : String(v));
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : String(v));

/** One violation in words, with the measured value against its limit. */
export function describeViolation(v: TouchdownViolation, r: TouchdownReport): string {
  const L = TOUCHDOWN_LIMITS;
  switch (v) {
    case 'vertical_speed':
      return `vertical speed ${f1(Math.abs(r.verticalSpeed))} m/s > ${f1(L.verticalSpeed)} m/s limit`;
    case 'horizontal_speed':
      return `horizontal speed ${f1(Math.abs(r.horizontalSpeed))} m/s > ${f1(L.horizontalSpeed)} m/s limit`;
    case 'tilt':
      return `tilt ${f1(Math.abs(r.tiltDeg))} deg > ${f1(L.tiltDeg)} deg limit`;
    case 'slope':
      return `ground slope ${f1(Math.abs(r.slopeDeg))} deg > ${f1(L.slopeDeg)} deg limit`;
    case 'boulder':
      return `boulder ${f2(r.boulderHeight)} m under the footprint > ${f2(L.boulderHeight)} m clearance`;
    case 'out_of_fuel':
      return `propellant ran out before touchdown (${f1(r.fuelLeft)} kg left)`;
    default:
      return String(v);
  }
}

/** `value (limit L)`, flagged when over the limit. */
function measured(value: number, limit: number, unit: string, digits = 1): string {
  const v = Math.abs(value);
  const over = v > limit ? '  OVER' : '';
  return `${v.toFixed(digits)} ${unit} (limit ${limit.toFixed(digits)} ${unit})${over}`;
}

export interface TouchdownReportExtra {
  /** Fuel a vertical, fuel-optimal descent would use from the start (see `verticalFuelLimit`), kg. */
  fuelLimit?: number | null;
  scenarioId?: string;
}

/**
 * A touchdown report as a few lines a person (or a model) can read: the verdict, each broken
 * limit in words, the touchdown speeds, tilt, slope and rocks against the gear's limits, fuel
 * used and left (and against the vertical fuel-optimal limit when given), and the miss distance.
 */
export function formatTouchdownReport(
  report: TouchdownReport,
  extra: TouchdownReportExtra = {},
): string {
  const L = TOUCHDOWN_LIMITS;
  const verdict = VERDICTS[report.verdict] ?? String(report.verdict).toUpperCase();
  const where = extra.scenarioId ? ` (${extra.scenarioId})` : '';
  const lines = [`Touchdown${where}: ${verdict} at t = ${f1(report.t)} s, x = ${f1(report.x)} m`];
  if (report.violations.length > 0)
    lines.push(
      `  violations: ${report.violations.map((v) => describeViolation(v, report)).join('; ')}`,
    );
  else if (report.verdict === 'safe') lines.push('  all gear limits respected');
  const row = (label: string, value: string) => `  ${label.padEnd(18)}${value}`;
  lines.push(
    row('vertical speed', measured(report.verticalSpeed, L.verticalSpeed, 'm/s')),
    row('horizontal speed', measured(report.horizontalSpeed, L.horizontalSpeed, 'm/s')),
    row('tilt', measured(report.tiltDeg, L.tiltDeg, 'deg')),
    row('ground slope', measured(report.slopeDeg, L.slopeDeg, 'deg')),
    row(
      'tallest boulder',
      report.boulderHeight > 0
        ? measured(report.boulderHeight, L.boulderHeight, 'm', 2).replace('limit', 'clearance')
        : `none under the footprint (clearance ${f2(L.boulderHeight)} m)`,
    ),
    row('fuel', `${f1(report.fuelUsed)} kg used, ${f1(report.fuelLeft)} kg left`),
  );
  const limit = extra.fuelLimit;
  if (limit !== undefined && limit !== null && Number.isFinite(limit)) {
    const ratio = limit > 0 ? ` = ×${(report.fuelUsed / limit).toFixed(2)}` : '';
    lines.push(
      row(
        'fuel vs limit',
        `${f1(report.fuelUsed)} / ${f1(limit)} kg (vertical fuel-optimal)${ratio}`,
      ),
    );
  }
  lines.push(row('distance to site', `${f1(report.distanceToTarget)} m`));
  return `${lines.join('\n')}\n`;
}
