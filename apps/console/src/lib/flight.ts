/**
 * A lunar landing's flight from its session events: the scenario (first environment observation),
 * the craft's true state at each step (`telemetry`) and the result (last observation), as the
 * lunar-lander environment records them.
 */

export interface FlightSample {
  t: number;
  x: number;
  altitude: number;
  vx: number;
  vz: number;
  pitchDeg: number;
  throttle: number;
  /** A lagging engine's level, share of full thrust (absent when the engine follows at once). */
  engineLevel?: number;
  fuel: number;
  step: number | null;
}

export interface FlightScenario {
  id?: string;
  family?: string;
  description?: string;
  seed: number;
  target?: { x: number };
  terrain?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface Touchdown {
  verdict?: string;
  violations?: string[];
  verticalSpeed?: number;
  horizontalSpeed?: number;
  tiltDeg?: number;
  slopeDeg?: number;
  boulderHeight?: number;
  distanceToTarget?: number;
  x?: number;
  t?: number;
}

export interface FlightResult {
  status?: string;
  safe?: boolean;
  touchdown?: Touchdown | null;
  fuelUsed?: number;
  fuelLimit?: number;
  steps?: number;
  seconds?: number;
  [field: string]: unknown;
}

export interface Flight {
  scenario: FlightScenario | null;
  samples: FlightSample[];
  result: FlightResult | null;
}

interface EventLike {
  type: string;
  actor?: string;
  step?: number;
  data?: Record<string, unknown>;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function sampleOf(
  telemetry: Record<string, unknown>,
  step: number | undefined,
): FlightSample | null {
  const { t, x, altitude, vx, vz, pitchDeg, throttle, engineLevel, fuel } = telemetry;
  if (![t, x, altitude, vx, vz].every(isNum)) return null;
  return {
    t: t as number,
    x: x as number,
    altitude: altitude as number,
    vx: vx as number,
    vz: vz as number,
    pitchDeg: isNum(pitchDeg) ? pitchDeg : 0,
    throttle: isNum(throttle) ? throttle : 0,
    ...(isNum(engineLevel) ? { engineLevel } : {}),
    fuel: isNum(fuel) ? fuel : 0,
    step: step ?? null,
  };
}

/** Reads the flight out of events in seq order; anything not from the simulator is ignored. */
export function extractFlight(events: readonly EventLike[]): Flight {
  const flight: Flight = { scenario: null, samples: [], result: null };
  for (const e of events) {
    if (e.type !== 'observation' || e.actor !== 'environment' || !e.data) continue;
    const { scenario, telemetry, result } = e.data as Record<string, unknown>;
    if (scenario && typeof scenario === 'object' && !flight.scenario) {
      const s = scenario as FlightScenario;
      flight.scenario = s;
      const initial = (s as { initial?: Record<string, unknown> }).initial;
      const first = initial && sampleOf({ t: 0, ...initial }, e.step);
      if (first) flight.samples.push(first);
    }
    if (telemetry && typeof telemetry === 'object') {
      const sample = sampleOf(telemetry as Record<string, unknown>, e.step);
      if (sample) flight.samples.push(sample);
    }
    if (result && typeof result === 'object') flight.result = result as FlightResult;
  }
  return flight;
}

/**
 * Whether a session's events carry a flight: a simulator observation holding the scenario (the
 * first event of a landing does). Read from the data, not the environment's name, so any
 * environment that reports a flight the same way gets the plot.
 */
export function carriesFlight(events: readonly EventLike[]): boolean {
  return events.some(
    (e) =>
      e.type === 'observation' &&
      e.actor === 'environment' &&
      typeof e.data?.['scenario'] === 'object' &&
      e.data['scenario'] !== null,
  );
}

/** A linear scale from a data range to a pixel range (a flat range maps to the middle). */
export function linearScale(domain: [number, number], range: [number, number]) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
}

/** Min and max of the values, widened by `pad` of the span (or 1 when flat). */
export function extent(values: readonly number[], pad = 0.05): [number, number] {
  if (!values.length) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * pad, hi + span * pad];
}

/** An SVG path through the points. */
export function pathOf(points: readonly [number, number][]): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
}
