import { z } from 'zod';
import {
  DEFAULT_DECISION_HZ,
  DEFAULT_PHYSICS_HZ,
  MAX_PITCH,
  THROTTLE_FULL,
  THROTTLE_MAX_THROTTLED,
  THROTTLE_MIN,
} from './constants';
import { LanderError } from './errors';
import type { Scenario } from './types';

/** Scenario ids (and family names): letters, digits, `_`, `.`, `-`; at most 64 characters. */
export const SCENARIO_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Limits a scenario must respect beyond the engine's own (see the README's field table). */
export const SCENARIO_LIMITS = {
  maxAltitude: 20_000,
  maxSpeed: 500,
  maxPitchDeg: Math.round(((MAX_PITCH * 180) / Math.PI) * 1e9) / 1e9,
  maxTerrainSpan: 100_000,
  maxRamps: 200,
  maxSlopeDeg: 45,
  maxCraters: 500,
  maxCraterRadius: 5_000,
  maxBouldersPerKm: 500,
  maxBoulderHeight: 50,
  maxFeatures: 200,
  maxBeamHalfAngleDeg: 45,
  maxRadarBias: 500,
  // Noise beyond these readings says nothing a team could use, and 1e308 m turns every reading
  // into Infinity (the builtin team's commands into NaN).
  maxRadarNoise: 500,
  maxVelocityNoise: 50,
  maxScanNoise: 500,
  maxCraterDepth: 5_000,
  maxThrottleLagSeconds: 10,
  minPhysicsHz: 10,
  maxPhysicsHz: 1_000,
  /** A decision at least every 10 s: slower, a craft falls for minutes with nobody at the controls. */
  minDecisionHz: 0.1,
  maxSeconds: 3_600,
  defaultMaxSeconds: 600,
} as const;

const L = SCENARIO_LIMITS;

/** How a bad value is quoted in a message: numbers as written, strings quoted, objects by kind. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const typeError =
  (what: string) =>
  (iss: { input?: unknown }): string =>
    iss.input === undefined
      ? `is required: ${what}`
      : `must be ${what}, got ${showValue(iss.input)}`;

/** A finite number (zod 4 refuses NaN and +-Infinity) that must also pass `ok`. */
function num(what: string, ok: (v: number) => boolean = () => true, fail?: (v: number) => string) {
  return z.number({ error: typeError(what) }).superRefine((v, ctx) => {
    if (!ok(v))
      ctx.addIssue({ code: 'custom', message: fail ? fail(v) : `must be ${what}, got ${v}` });
  });
}

const int = (what: string, min: number, max: number) =>
  num(what, (v) => Number.isSafeInteger(v) && v >= min && v <= max);

const name = (what: string) =>
  z.string({ error: typeError(what) }).superRefine((v, ctx) => {
    if (!SCENARIO_ID_PATTERN.test(v))
      ctx.addIssue({ code: 'custom', message: `must be ${what}, got ${showValue(v)}` });
  });

/** A strict object whose messages list its fields: unknown keys are refused by name. */
function obj<S extends z.ZodRawShape>(shape: S) {
  const fields = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `is not a known field; allowed fields: ${fields}`
        : typeError(`an object with fields ${fields}`)(iss),
  });
}

const metres = 'a finite number of metres';
const nonNegative = (unit: string) => num(`a non-negative number of ${unit}`, (v) => v >= 0);
const between = (unit: string, min: number, max: number) =>
  num(`${unit} from ${min} to ${max}`, (v) => v >= min && v <= max);

/** The descent engine's settings: off, the throttled band, or full thrust. */
export function isAllowedThrottle(v: number): boolean {
  return v === 0 || v === THROTTLE_FULL || (v >= THROTTLE_MIN && v <= THROTTLE_MAX_THROTTLED);
}

export const THROTTLE_RANGE_TEXT = `0 (off), ${THROTTLE_MIN} to ${THROTTLE_MAX_THROTTLED}, or ${THROTTLE_FULL} (full thrust)`;

const craterFeature = obj({
  kind: z.literal('crater'),
  x: num(metres),
  radius: num('a positive radius in metres', (v) => v > 0 && v <= L.maxCraterRadius),
  depth: between('a crater depth in metres', 0, L.maxCraterDepth),
});
const boulderFeature = obj({
  kind: z.literal('boulder'),
  x: num(metres),
  height: num('a positive height in metres', (v) => v > 0 && v <= L.maxBoulderHeight),
  radius: num('a positive radius in metres', (v) => v > 0).optional(),
});
const feature = z.discriminatedUnion('kind', [craterFeature, boulderFeature], {
  error: (iss) =>
    `must be { kind: "crater", x, radius, depth } or { kind: "boulder", x, height, radius? }, got ${
      iss.code === 'invalid_union'
        ? 'kind ' + showValue((iss.input as { kind?: unknown })?.kind)
        : showValue(iss.input)
    }`,
});

const rangeOrder =
  (lo: string, hi: string) => (v: Record<string, number>, ctx: z.RefinementCtx) => {
    if (v[lo] > v[hi])
      ctx.addIssue({
        code: 'custom',
        path: [lo],
        message: `${lo} (${v[lo]}) must not exceed ${hi} (${v[hi]})`,
      });
  };

const terrainSchema = obj({
  xMin: num(metres),
  xMax: num(metres),
  baseHeight: between('a height in metres', -L.maxAltitude, L.maxAltitude),
  ramps: obj({
    count: int(`a whole number of ramps from 0 to ${L.maxRamps}`, 0, L.maxRamps),
    maxSlopeDeg: between('a slope in degrees', 0, L.maxSlopeDeg),
  }),
  craters: obj({
    count: int(`a whole number of craters from 0 to ${L.maxCraters}`, 0, L.maxCraters),
    minRadius: num('a positive radius in metres', (v) => v > 0 && v <= L.maxCraterRadius),
    maxRadius: num('a positive radius in metres', (v) => v > 0 && v <= L.maxCraterRadius),
    depthRatio: between('a depth-to-radius ratio', 0, 1),
  }).superRefine(rangeOrder('minRadius', 'maxRadius')),
  boulders: obj({
    perKm: between('a number of boulders per kilometre', 0, L.maxBouldersPerKm),
    minHeight: between('a height in metres', 0, L.maxBoulderHeight),
    maxHeight: between('a height in metres', 0, L.maxBoulderHeight),
  }).superRefine(rangeOrder('minHeight', 'maxHeight')),
  features: z
    .array(feature, { error: typeError('an array of craters and boulders') })
    .max(L.maxFeatures, `must list at most ${L.maxFeatures} features`)
    .optional(),
}).superRefine((t, ctx) => {
  if (!(t.xMin < t.xMax))
    ctx.addIssue({
      code: 'custom',
      path: ['xMax'],
      message: `must be greater than xMin (${t.xMin}), got ${t.xMax}`,
    });
  else if (t.xMax - t.xMin > L.maxTerrainSpan)
    ctx.addIssue({
      code: 'custom',
      path: ['xMax'],
      message: `the terrain may span at most ${L.maxTerrainSpan} m, got ${t.xMax - t.xMin} m (xMin ${t.xMin}, xMax ${t.xMax})`,
    });
  t.features?.forEach((f, i) => {
    if (f.x < t.xMin || f.x > t.xMax)
      ctx.addIssue({
        code: 'custom',
        path: ['features', i, 'x'],
        message: `${f.x} is outside the terrain [${t.xMin}, ${t.xMax}]`,
      });
  });
});

const timingSchema = obj({
  physicsHz: between('a physics rate in Hz', L.minPhysicsHz, L.maxPhysicsHz).default(
    DEFAULT_PHYSICS_HZ,
  ),
  decisionHz: between('a decision rate in Hz', L.minDecisionHz, L.maxPhysicsHz).default(
    DEFAULT_DECISION_HZ,
  ),
  maxSeconds: num(
    `a time limit in seconds, more than 0 and at most ${L.maxSeconds}`,
    (v) => v > 0 && v <= L.maxSeconds,
  ).default(L.defaultMaxSeconds),
})
  .superRefine((t, ctx) => {
    const ratio = t.physicsHz / t.decisionHz;
    if (!Number.isInteger(ratio) || ratio < 1)
      ctx.addIssue({
        code: 'custom',
        path: ['physicsHz'],
        message: `must be a whole multiple of decisionHz (${t.decisionHz}) so each decision spans whole physics steps, got ${t.physicsHz} (ratio ${+ratio.toFixed(4)})`,
      });
  })
  .prefault({});

/** Every scenario field except id, family and seed: what a family file's `base` holds. */
export const scenarioBaseShape = {
  description: z
    .string({ error: typeError('a string') })
    .max(2_000, 'must be at most 2,000 characters')
    .optional(),
  craft: obj({
    dryMassKg: num('a positive number of kilograms', (v) => v > 0),
    fuelKg: nonNegative('kilograms'),
    throttleLagSeconds: between(
      'an engine response time in seconds',
      0,
      L.maxThrottleLagSeconds,
    ).optional(),
  }),
  initial: obj({
    x: num(metres),
    altitude: num(
      `a height above the ground in metres, more than 0 and at most ${L.maxAltitude}`,
      (v) => v > 0 && v <= L.maxAltitude,
    ),
    vx: between('a speed in m/s', -L.maxSpeed, L.maxSpeed),
    vz: between('a speed in m/s', -L.maxSpeed, L.maxSpeed),
    pitchDeg: between('a tilt in degrees (MAX_PITCH)', -L.maxPitchDeg, L.maxPitchDeg),
    throttle: num(
      `a throttle setting: ${THROTTLE_RANGE_TEXT}`,
      isAllowedThrottle,
      (v) => `${v} is outside the descent engine's range: ${THROTTLE_RANGE_TEXT}`,
    ),
  }),
  target: obj({ x: num(metres) }),
  terrain: terrainSchema,
  sensors: obj({
    radarNoise: between('a radar noise in metres', 0, L.maxRadarNoise),
    radarBias: between('a radar bias in metres', -L.maxRadarBias, L.maxRadarBias).optional(),
    radarBeamHalfAngleDeg: num(
      `a half-angle in degrees, more than 0 and at most ${L.maxBeamHalfAngleDeg}`,
      (v) => v > 0 && v <= L.maxBeamHalfAngleDeg,
    ),
    velocityNoise: between('a velocity noise in m/s', 0, L.maxVelocityNoise),
    scanNoise: between('a scan noise in metres', 0, L.maxScanNoise),
  }),
  timing: timingSchema,
};

/** A family's `base`: a complete scenario without id, family and seed, with no cross-field checks. */
export const scenarioBaseSchema = obj(scenarioBaseShape);

/** Start and target must lie on the terrain. */
function checkPositions(
  s: Pick<Scenario, 'initial' | 'target' | 'terrain'>,
  ctx: z.RefinementCtx,
): void {
  const { xMin, xMax } = s.terrain;
  if (!(xMin < xMax)) return;
  for (const [path, x] of [
    [['initial', 'x'], s.initial.x],
    [['target', 'x'], s.target.x],
  ] as const)
    if (x < xMin || x > xMax)
      ctx.addIssue({
        code: 'custom',
        path: [...path],
        message: `${x} is outside the terrain [${xMin}, ${xMax}]`,
      });
}

/** A whole scenario, as JSON; `parseScenario` turns its problems into a `LanderError`. */
export const scenarioSchema = obj({
  id: name('an id of 1 to 64 letters, digits, "_", "." or "-", not starting with "." or "-"'),
  family: name(
    'a family name of 1 to 64 letters, digits, "_", "." or "-", not starting with "." or "-"',
  ),
  seed: int('an integer seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  ...scenarioBaseShape,
}).superRefine(checkPositions);

/** What a caller may write (timing and its fields have defaults). */
export type ScenarioInput = z.input<typeof scenarioSchema>;

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time proof that the schema's output is the `Scenario` type, no more and no less. */
const _schemaIsScenario: Exact<z.output<typeof scenarioSchema>, Scenario> = true;
void _schemaIsScenario;

export interface Problem {
  path: string;
  message: string;
}

/** Zod issues as `{ path, message }` with dotted paths; an unknown key becomes its own problem. */
export function toProblems(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): Problem[] {
  const dotted = (p: readonly PropertyKey[]) => p.map(String).join('.');
  return issues.flatMap((iss) =>
    iss.code === 'unrecognized_keys'
      ? iss.keys.map((k) => ({ path: dotted([...prefix, ...iss.path, k]), message: iss.message }))
      : [{ path: dotted([...prefix, ...iss.path]), message: iss.message }],
  );
}

/** `path: message (and N more)`, the first problem standing for all. */
export function summarizeProblems(problems: readonly Problem[], root = 'scenario'): string {
  const [first] = problems;
  if (!first) return `invalid ${root}`;
  const text = `${first.path || root}: ${first.message}`;
  if (problems.length === 1) return text;
  // The others by field, so that one run names every field to fix (a field can fail twice).
  const rest = [...new Set(problems.slice(1).map((p) => p.path || root))];
  const shown =
    rest.slice(0, 5).join(', ') + (rest.length > 5 ? `, ... (${rest.length} fields)` : '');
  return `${text} (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}, in ${shown})`;
}

/**
 * Validates a scenario (for example parsed JSON) and fills in defaults, or throws
 * `LanderError('invalid_scenario')` whose message names the first problem and whose `problems`
 * lists them all, e.g. `craft.dryMassKg: must be a positive number of kilograms, got -5`.
 */
export function parseScenario(input: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = toProblems(parsed.error.issues);
  throw new LanderError('invalid_scenario', summarizeProblems(problems), problems);
}
