import type { SessionEventBody } from '@reverie/contracts';
import {
  fact,
  isNumber,
  isRecord,
  lastResult,
  NO_ANSWER,
  type EnvironmentFacts,
  type FactInfo,
  type FactValue,
} from '@reverie/environment-kit';
import type { LandingResult } from './team/landing-episode';

const TD = 'at touchdown';

/** Every value a `bound` criterion of a lunar-lander rubric may name; `landerFacts` computes them. */
export const LANDER_FACT_NAMES = {
  'flight.status': fact(
    'flight status',
    'How the flight ended: landed, crashed, aborted, timeout or out_of_bounds.',
  ),
  'flight.seconds': fact('flight time', 'Simulated seconds from start to the end.', 's'),
  'touchdown.safe': fact(
    'safe touchdown',
    'True when the craft touched down with no limit broken (false when it never touched down).',
  ),
  'touchdown.verdict': fact(
    'touchdown verdict',
    'safe, hard, tipped, hazard, crashed or out_of_fuel (absent without a touchdown).',
    undefined,
    TD,
  ),
  'touchdown.vertical_speed': fact('vertical speed', 'Sink rate at contact.', 'm/s', TD),
  'touchdown.horizontal_speed': fact('horizontal speed', 'Drift at contact.', 'm/s', TD),
  'touchdown.tilt_deg': fact('tilt', 'Tilt of the craft from vertical at contact.', '°', TD),
  'touchdown.slope_deg': fact('ground slope', 'Slope of the ground under the footprint.', '°', TD),
  'touchdown.boulder_height': fact(
    'boulder height',
    'Tallest boulder under the footprint (0 when none).',
    'm',
    TD,
  ),
  'touchdown.distance_to_site': fact(
    'distance to the planned site',
    'Horizontal distance from the planned landing site.',
    'm',
    TD,
  ),
  'fuel.used': fact('fuel used', 'Propellant burned over the flight.', 'kg'),
  'fuel.left': fact('fuel left', 'Propellant left at the end.', 'kg'),
  'fuel.limit': fact(
    'fuel limit',
    'Propellant a fuel-optimal vertical burn needs from the initial state (the physical limit).',
    'kg',
  ),
  'fuel.over_limit': fact(
    'fuel used over the limit',
    'fuel.used / fuel.limit: 1 is the physical optimum, 2 burned twice that.',
    '×',
  ),
  'telemetry.max_tilt_deg': fact(
    'highest tilt',
    'Largest |pitch| over all telemetry samples (the step is where it occurred).',
    '°',
  ),
  'telemetry.max_speed': fact(
    'highest speed',
    'Largest speed √(vx²+vz²) over all telemetry samples, the initial state included.',
    'm/s',
  ),
} as const satisfies Record<string, FactInfo>;

/** The touchdown fields a fact reads, by fact name. */
const TOUCHDOWN_FACTS = {
  'touchdown.verdict': 'verdict',
  'touchdown.vertical_speed': 'verticalSpeed',
  'touchdown.horizontal_speed': 'horizontalSpeed',
  'touchdown.tilt_deg': 'tiltDeg',
  'touchdown.slope_deg': 'slopeDeg',
  'touchdown.boulder_height': 'boulderHeight',
  'touchdown.distance_to_site': 'distanceToTarget',
} as const;

const LANDER_FACTS = [
  'flight.status',
  'flight.seconds',
  'touchdown.safe',
  ...Object.keys(TOUCHDOWN_FACTS),
  'fuel.used',
  'fuel.left',
  'fuel.limit',
  'fuel.over_limit',
  'telemetry.max_tilt_deg',
  'telemetry.max_speed',
];

const isLandingResult = (
  r: Record<string, unknown>,
): r is Record<string, unknown> & LandingResult =>
  typeof r.status === 'string' && 'touchdown' in r && isNumber(r.fuelUsed);

/**
 * Lunar-lander facts: the flight's end from the last `result` observation (touchdown facts point
 * at its step), and the telemetry maxima from each step's `telemetry` observation (pointing at
 * the step where they occurred). The final answer is the result object.
 */
export function landerFacts(events: readonly SessionEventBody[]): EnvironmentFacts {
  const values: Record<string, FactValue> = {};
  const pointers: Record<string, number> = {};
  const absent: Record<string, string> = {};
  const set = (name: string, value: FactValue, step: number | undefined) => {
    values[name] = value;
    if (step !== undefined) pointers[name] = step;
  };

  const telemetry = telemetryFacts(events);
  let lastFuel: number | undefined;
  for (const s of telemetry.samples) lastFuel = s.fuel;
  if (telemetry.maxTilt)
    set('telemetry.max_tilt_deg', telemetry.maxTilt.value, telemetry.maxTilt.step);
  if (telemetry.maxSpeed)
    set('telemetry.max_speed', telemetry.maxSpeed.value, telemetry.maxSpeed.step);

  const found = lastResult(events, isLandingResult);
  if (!found) {
    for (const name of LANDER_FACTS)
      if (!(name in values))
        absent[name] = 'the session recorded no landing result (the flight did not finish)';
    return { values, pointers, absent, finalAnswer: NO_ANSWER };
  }
  const { result, event } = found;
  const step = event.step;
  set('flight.status', result.status, step);
  if (isNumber(result.seconds)) set('flight.seconds', result.seconds, step);
  set('touchdown.safe', result.safe === true, step);
  const td = isRecord(result.touchdown) ? result.touchdown : null;
  for (const [name, field] of Object.entries(TOUCHDOWN_FACTS)) {
    const v = td?.[field];
    if (isNumber(v) || typeof v === 'string') set(name, v, step);
    else
      absent[name] = td
        ? `the touchdown report has no ${field}`
        : `the flight ended ${result.status}${step === undefined ? '' : ` at step ${step}`} without touching down`;
  }
  set('fuel.used', result.fuelUsed, step);
  const fuelLeft = isNumber(td?.fuelLeft) ? td.fuelLeft : lastFuel;
  if (fuelLeft !== undefined) set('fuel.left', fuelLeft, step);
  else absent['fuel.left'] = 'the session recorded no fuel reading';
  if (isNumber(result.fuelLimit) && result.fuelLimit > 0) {
    set('fuel.limit', result.fuelLimit, step);
    set('fuel.over_limit', result.fuelUsed / result.fuelLimit, step);
  } else {
    absent['fuel.limit'] = absent['fuel.over_limit'] = 'the landing result records no fuel limit';
  }
  for (const name of ['telemetry.max_tilt_deg', 'telemetry.max_speed'])
    if (!(name in values)) absent[name] = 'the session recorded no telemetry';
  return {
    values,
    pointers,
    absent,
    finalAnswer: { text: JSON.stringify(result), json: result, step: step ?? null },
  };
}

interface Sample {
  step: number | undefined;
  pitchDeg: number;
  speed: number;
  fuel: number | undefined;
}

/** Each `telemetry` observation, and where tilt and speed peaked (the first step at the peak). */
function telemetryFacts(events: readonly SessionEventBody[]) {
  const samples: Sample[] = [];
  for (const e of events) {
    if (e.type !== 'observation' || !isRecord(e.data.telemetry)) continue;
    const t = e.data.telemetry;
    if (!isNumber(t.pitchDeg) || !isNumber(t.vx) || !isNumber(t.vz)) continue;
    samples.push({
      step: e.step,
      pitchDeg: Math.abs(t.pitchDeg),
      speed: Math.hypot(t.vx, t.vz),
      fuel: isNumber(t.fuel) ? t.fuel : undefined,
    });
  }
  const peak = (f: (s: Sample) => number) =>
    samples.reduce<{ value: number; step: number | undefined } | null>(
      (best, s) => (best && best.value >= f(s) ? best : { value: f(s), step: s.step }),
      null,
    );
  return { samples, maxTilt: peak((s) => s.pitchDeg), maxSpeed: peak((s) => s.speed) };
}
