/**
 * A lunar landing's flight from its session events: the scenario (first environment observation),
 * the craft's true state at each step (`telemetry`) and the result (last observation), as the
 * lunar-lander environment records them. A managed session the grader sent back for revision flies
 * again from the start: each attempt is a flight of its own (its events carry `iteration`).
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

/** One attempt's flight: `iteration` 1 is the first run, 2 and on the revisions. */
export interface AttemptFlight extends Flight {
  iteration: number;
}

interface EventLike {
  type: string;
  actor?: string;
  step?: number;
  /** Which attempt of a revised managed session the event belongs to; absent on the first. */
  iteration?: unknown;
  data?: Record<string, unknown>;
}

/** The attempt an event belongs to (events of the first attempt carry no iteration). */
export const iterationOf = (e: EventLike): number =>
  typeof e.iteration === 'number' && Number.isInteger(e.iteration) && e.iteration > 0
    ? e.iteration
    : 1;

/** A decision step to show, in one attempt of the session when `attempt` is given. */
export type StepTarget = { step: number; attempt?: number };

/**
 * Whether an event is at a step (of that attempt, when given): steps start at 0 again in each
 * attempt of a revised session, so a verdict's step means its own attempt's.
 */
export const isAt = (e: EventLike & { step?: number }, target: StepTarget): boolean =>
  e.step === target.step && (target.attempt === undefined || iterationOf(e) === target.attempt);

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

/** Adds one simulator observation to an attempt's flight. */
function readInto(flight: Flight, e: EventLike): void {
  const { scenario, telemetry, result } = e.data as Record<string, unknown>;
  const hasTelemetry = !!telemetry && typeof telemetry === 'object';
  if (scenario && typeof scenario === 'object' && !flight.scenario) {
    const s = scenario as FlightScenario;
    flight.scenario = s;
    // The scenario's initial state starts the plot, unless the same event has the true state.
    const initial = (s as { initial?: Record<string, unknown> }).initial;
    const first = !hasTelemetry && initial && sampleOf({ t: 0, ...initial }, e.step);
    if (first) flight.samples.push(first);
  }
  if (hasTelemetry) {
    const sample = sampleOf(telemetry as Record<string, unknown>, e.step);
    if (sample) flight.samples.push(sample);
  }
  if (result && typeof result === 'object') flight.result = result as FlightResult;
}

/**
 * One flight per attempt, in attempt order, from events in seq order: each with that attempt's
 * scenario, samples and result alone. An attempt with events but no telemetry yet (a revision just
 * started) has an empty flight. Anything not from the simulator is ignored.
 */
export function extractFlights(events: readonly EventLike[]): AttemptFlight[] {
  const attempts = new Map<number, AttemptFlight>();
  for (const e of events) {
    const iteration = iterationOf(e);
    let flight = attempts.get(iteration);
    if (!flight) {
      flight = { iteration, scenario: null, samples: [], result: null };
      attempts.set(iteration, flight);
    }
    if (e.type !== 'observation' || e.actor !== 'environment' || !e.data) continue;
    readInto(flight, e);
  }
  return [...attempts.values()].sort((a, b) => a.iteration - b.iteration);
}

/**
 * The flight of attempt `iteration`, or of the last attempt when none is given (empty when the
 * session has no such attempt or is not a landing).
 */
export function extractFlight(events: readonly EventLike[], iteration?: number): Flight {
  const flights = extractFlights(events);
  const found =
    iteration === undefined ? flights.at(-1) : flights.find((f) => f.iteration === iteration);
  if (!found) return { scenario: null, samples: [], result: null };
  const { scenario, samples, result } = found;
  return { scenario, samples, result };
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
