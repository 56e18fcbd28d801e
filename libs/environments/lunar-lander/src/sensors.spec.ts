import { radarReturn, scanTerrain, senseAt, type SensorInput } from './sensors';
import { Terrain } from './terrain';
import { aScenario } from './testing/scenario.builder';
import type { CraftState, SensorSettings, TerrainSettings } from './types';

const DEG = Math.PI / 180;

const aState = (over: Partial<CraftState> = {}): CraftState => ({
  t: 12.34,
  tick: 617,
  x: 0,
  z: 100,
  vx: 2,
  vz: -5,
  pitch: 0,
  pitchCommand: 0,
  throttle: 0.35,
  dryMass: 6_600,
  fuel: 420,
  ...over,
});

function input(
  over: {
    state?: Partial<CraftState>;
    sensors?: Partial<SensorSettings>;
    terrain?: Partial<TerrainSettings>;
  } = {},
): SensorInput {
  const scenario = aScenario();
  return {
    seed: 77,
    sensors: { ...scenario.sensors, ...over.sensors },
    terrain: Terrain.generate({ ...scenario.terrain, ...over.terrain }, 77),
    state: aState(over.state),
  };
}

const noisy = { radarNoise: 2, velocityNoise: 0.5, scanNoise: 4 };

function stats(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, sd: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
}

describe('senseAt', () => {
  it('reads true values without noise over flat ground', () => {
    expect(senseAt(input())).toEqual({
      t: 12.34,
      radarAltitude: 100,
      vx: 2,
      vz: -5,
      pitch: 0,
      x: 0,
      fuel: 420,
      mass: 7_020,
      throttle: 0.35,
    });
  });

  it('reads the same at the same tick and differently at the next', () => {
    const a = senseAt(input({ sensors: noisy }));
    const b = senseAt(input({ sensors: noisy }));
    const next = senseAt(input({ sensors: noisy, state: { tick: 618 } }));
    expect(b).toEqual(a);
    expect(next.radarAltitude).not.toBe(a.radarAltitude);
    expect(next.vx).not.toBe(a.vx);
    // attitude, position and the gauges stay exact
    expect(a).toMatchObject({ pitch: 0, x: 0, fuel: 420, mass: 7_020, throttle: 0.35 });
  });

  it('reads low near a crater rim, where the nearest return is the rim, not the ground below', () => {
    const rim = input({
      terrain: { features: [{ kind: 'crater', x: 60, radius: 50, depth: 10 }] },
    });
    const trueAgl = 100 - rim.terrain.heightAt(0);
    expect(trueAgl).toBeCloseTo(100 - 0.9, 9); // the rim's foot under the craft
    // the beam (±10°, about ±17.6 m at 100 m) reaches the 2.5 m crest at x = 10; the ray at -5°
    // lands at x = 8.67, on the rim 2.24 m up
    expect(senseAt(rim).radarAltitude).toBeCloseTo(97.7589, 4);
    expect(senseAt(rim).radarAltitude).toBeLessThan(trueAgl - 1.3);
    expect(senseAt(input()).radarAltitude).toBe(100);
  });

  it('reads low over a slope, by about AGL * tan(beam) * slope', () => {
    const ramp = input({
      terrain: { xMin: -1_000, xMax: 1_000, ramps: { count: 1, maxSlopeDeg: 30 } },
    });
    const rise = ramp.terrain.heightAt(10) - ramp.terrain.heightAt(0);
    expect(Math.abs(rise)).toBeGreaterThan(0); // the seeded ramp is not level
    const gradient = Math.abs(rise) / 10;
    const state = { z: ramp.terrain.heightAt(0) + 100 };
    const reading = senseAt({ ...ramp, state: aState(state) }).radarAltitude;
    // the outermost ray, 10° toward the upslope, meets the ground 100 tan 10° m away
    expect(reading).toBeCloseTo(100 - 100 * Math.tan(10 * DEG) * gradient, 9);
    expect(reading).toBeLessThan(100);
  });

  it('looks out of the base, away from the thrust: pitched +20° it sees ground at x - AGL tan 20°', () => {
    const step = input({
      sensors: { radarBeamHalfAngleDeg: 0 },
      terrain: { features: [{ kind: 'crater', x: -36.4, radius: 5, depth: 5 }] },
      state: { pitch: 20 * DEG },
    });
    expect(radarReturn(step)).toBeCloseTo(105, 0); // looks into the crater at x ≈ -36.4
    const ahead = { ...step, state: aState({ pitch: -20 * DEG }) };
    expect(radarReturn(ahead)).toBe(100);
  });

  it('adds noise with the configured standard deviation', () => {
    const base = input({ sensors: noisy });
    const readings = Array.from({ length: 4_000 }, (_, tick) =>
      senseAt({ ...base, state: aState({ tick }) }),
    );
    const radar = stats(readings.map((r) => r.radarAltitude - 100));
    const vx = stats(readings.map((r) => r.vx - 2));
    const vz = stats(readings.map((r) => r.vz + 5));
    expect(Math.abs(radar.mean)).toBeLessThan(0.15);
    expect(radar.sd).toBeGreaterThan(1.85);
    expect(radar.sd).toBeLessThan(2.15);
    for (const v of [vx, vz]) {
      expect(Math.abs(v.mean)).toBeLessThan(0.04);
      expect(v.sd).toBeGreaterThan(0.46);
      expect(v.sd).toBeLessThan(0.54);
    }
  });
});

describe('scanTerrain', () => {
  it('samples heights from x - halfSpan every spacing metres', () => {
    const craterField = input({
      terrain: { baseHeight: 3, features: [{ kind: 'crater', x: 20, radius: 10, depth: 2 }] },
      state: { x: 10, z: 103 },
    });
    const scan = scanTerrain(craterField, 30, 5);
    expect(scan.x0).toBe(-20);
    expect(scan.spacing).toBe(5);
    expect(scan.t).toBe(12.34);
    expect(scan.heights).toHaveLength(13);
    expect(scan.heights).toEqual(
      Array.from({ length: 13 }, (_, i) => craterField.terrain.heightAt(-20 + 5 * i)),
    );
    expect(scan.heights[8]).toBe(1); // crater floor at x = 20: 3 - 2
  });

  it('sees a boulder only when it is tall enough for the altitude (0.2 m + AGL / 400)', () => {
    const rocks = { features: [{ kind: 'boulder' as const, x: 50, height: 0.5 }] };
    const low = scanTerrain(input({ terrain: rocks, state: { z: 50 } }), 300, 5);
    const high = scanTerrain(input({ terrain: rocks, state: { z: 500 } }), 300, 5);
    expect(low.boulders).toEqual([{ x: 50, height: 0.5 }]);
    expect(high.boulders).toEqual([]);
    expect(scanTerrain(input({ terrain: rocks, state: { z: 50 } }), 40, 5).boulders).toEqual([]);
  });

  it('is noisier higher up, the same at the same tick', () => {
    const sd = (z: number) =>
      stats(scanTerrain(input({ sensors: noisy, state: { z } }), 1_000, 1).heights).sd;
    expect(sd(1_000)).toBeGreaterThan(3.7);
    expect(sd(1_000)).toBeLessThan(4.3);
    expect(sd(250)).toBeGreaterThan(0.9);
    expect(sd(250)).toBeLessThan(1.1);
    // never below 5 % of scanNoise, even on the ground
    expect(sd(0)).toBeGreaterThan(0.18);
    expect(sd(0)).toBeLessThan(0.22);
    const a = scanTerrain(input({ sensors: noisy }), 300, 5);
    expect(scanTerrain(input({ sensors: noisy }), 300, 5)).toEqual(a);
  });

  it('refuses a bad span or spacing', () => {
    expect(() => scanTerrain(input(), 300, 0)).toThrow(/spacing 0/);
    expect(() => scanTerrain(input(), Number.NaN, 5)).toThrow(/half-span NaN/);
    expect(() => scanTerrain(input(), 10_000, 0.1)).toThrow(/at most 2001/);
  });
});
