import type { Scenario } from '../types';

/** Every field optional, all the way down (arrays are replaced whole, not merged). */
export type DeepPartial<T> =
  T extends Array<infer _U> ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * A complete test scenario: flat level ground, no noise, 50 Hz physics, 1 Hz decisions, a craft of
 * 6,600 kg dry with 800 kg of propellant 500 m up and sinking at 10 m/s with the engine off.
 * For tests only.
 */
export function aScenario(overrides: DeepPartial<Scenario> = {}): Scenario {
  const base: Scenario = {
    id: 'test-01',
    family: 'test',
    seed: 1,
    craft: { dryMassKg: 6_600, fuelKg: 800 },
    initial: { x: 0, altitude: 500, vx: 0, vz: -10, pitchDeg: 0, throttle: 0 },
    target: { x: 0 },
    terrain: {
      xMin: -2_000,
      xMax: 4_000,
      baseHeight: 0,
      ramps: { count: 0, maxSlopeDeg: 0 },
      craters: { count: 0, minRadius: 10, maxRadius: 50, depthRatio: 0.2 },
      boulders: { perKm: 0, minHeight: 0.3, maxHeight: 2 },
      features: [],
    },
    sensors: { radarNoise: 0, radarBeamHalfAngleDeg: 10, velocityNoise: 0, scanNoise: 0 },
    timing: { physicsHz: 50, decisionHz: 1, maxSeconds: 600 },
  };
  return deepMerge<Scenario>(base, overrides);
}

function deepMerge<T>(base: T, overrides: DeepPartial<T> | undefined): T {
  if (overrides === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    out[key] = deepMerge((base as Record<string, unknown>)[key], value as DeepPartial<unknown>);
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
