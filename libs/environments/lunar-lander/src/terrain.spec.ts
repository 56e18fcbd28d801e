import { BOULDER_RADIUS_PER_HEIGHT, FOOTPRINT_HALF_WIDTH } from './constants';
import { LanderError } from './errors';
import { craterHeight, Terrain } from './terrain';
import { aScenario } from './testing/scenario.builder';
import type { TerrainSettings } from './types';

const rough = (over: Partial<TerrainSettings> = {}): TerrainSettings => ({
  ...aScenario().terrain,
  baseHeight: 100,
  ramps: { count: 12, maxSlopeDeg: 8 },
  craters: { count: 20, minRadius: 10, maxRadius: 80, depthRatio: 0.2 },
  boulders: { perKm: 30, minHeight: 0.2, maxHeight: 3 },
  ...over,
});

const profile = (t: Terrain) => Array.from({ length: 601 }, (_, i) => t.heightAt(-2_000 + i * 10));

describe('Terrain', () => {
  it('is the same for the same settings and seed, and differs for another seed', () => {
    const a = Terrain.generate(rough(), 42);
    const b = Terrain.generate(rough(), 42);
    const c = Terrain.generate(rough(), 43);
    expect(profile(b)).toEqual(profile(a));
    expect(b.boulders).toEqual(a.boulders);
    expect(b.craters).toEqual(a.craters);
    expect(profile(c)).not.toEqual(profile(a));
    expect(c.boulders).not.toEqual(a.boulders);
  });

  it('is flat at the base height with no ramps, craters or boulders', () => {
    const t = Terrain.generate({ ...aScenario().terrain, baseHeight: 37 }, 1);
    expect(new Set(profile(t))).toEqual(new Set([37]));
    expect(t.slopeAt(100)).toBe(0);
    expect(t.boulders).toEqual([]);
    expect(t.craters).toEqual([]);
  });

  it('joins piecewise-linear ramps starting at the base height, level beyond the span', () => {
    const t = Terrain.generate(rough({ craters: { ...rough().craters, count: 0 } }), 5);
    expect(t.heightAt(-2_000)).toBe(100);
    expect(t.heightAt(-3_000)).toBe(100);
    expect(t.heightAt(5_000)).toBe(t.heightAt(4_000));
    // inside one 500 m segment the slope is constant and within ±8°
    const slope = (t.heightAt(-1_600) - t.heightAt(-1_900)) / 300;
    expect(t.heightAt(-1_700) - t.heightAt(-1_800)).toBeCloseTo(slope * 100, 9);
    expect(Math.abs(Math.atan(slope))).toBeLessThanOrEqual((8 * Math.PI) / 180);
    expect(t.slopeAt(-1_750, 50)).toBeCloseTo(Math.atan(Math.abs(slope)), 12);
  });

  it('places explicit crater and boulder features', () => {
    const t = Terrain.generate(
      {
        ...aScenario().terrain,
        features: [
          { kind: 'crater', x: 500, radius: 40, depth: 8 },
          { kind: 'boulder', x: 1_000, height: 1.5 },
          { kind: 'boulder', x: 1_010, height: 0.4, radius: 2 },
        ],
      },
      1,
    );
    expect(t.heightAt(500)).toBe(-8);
    expect(t.heightAt(540)).toBeCloseTo(2, 12); // rim crest: depth / 4
    expect(t.heightAt(560)).toBe(0); // rim falls off over half a radius
    expect(t.craters).toEqual([{ x: 500, radius: 40, depth: 8, rimHeight: 2 }]);
    expect(t.boulders).toEqual([
      { x: 1_000, height: 1.5, radius: 1.5 * BOULDER_RADIUS_PER_HEIGHT },
      { x: 1_010, height: 0.4, radius: 2 },
    ]);
    // boulders are hazards, not part of the profile
    expect(t.heightAt(1_000)).toBe(0);
    expect(t.bouldersNear(1_000, FOOTPRINT_HALF_WIDTH).map((b) => b.x)).toEqual([1_000]);
    // the 2 m radius of the second rock reaches into a footprint centred 6.5 m away
    expect(t.bouldersNear(1_003.5, 4.7).map((b) => b.x)).toEqual([1_000, 1_010]);
    expect(t.bouldersNear(1_020, 4.7)).toEqual([]);
  });

  it('keeps the crater profile continuous at the rim and at the outer edge', () => {
    const crater = { x: 0, radius: 50, depth: 10, rimHeight: 2.5 };
    const eps = 1e-9;
    for (const r of [50, 75]) {
      expect(Math.abs(craterHeight(crater, r - eps) - craterHeight(crater, r + eps))).toBeLessThan(
        1e-7,
      );
    }
    // no jump anywhere: neighbouring samples 1 cm apart differ by less than the steepest wall allows
    let worst = 0;
    for (let r = 0; r < 100; r += 0.01) {
      worst = Math.max(worst, Math.abs(craterHeight(crater, r + 0.01) - craterHeight(crater, r)));
    }
    expect(worst).toBeLessThan(0.01);
  });

  it('scatters perKm * km boulders with heights in range and radius height / 2', () => {
    const t = Terrain.generate(rough(), 9);
    expect(t.boulders).toHaveLength(180); // 30 per km over 6 km
    for (const b of t.boulders) {
      expect(b.x).toBeGreaterThanOrEqual(-2_000);
      expect(b.x).toBeLessThan(4_000);
      expect(b.height).toBeGreaterThanOrEqual(0.2);
      expect(b.height).toBeLessThan(3);
      expect(b.radius).toBe(b.height * BOULDER_RADIUS_PER_HEIGHT);
    }
    const xs = t.boulders.map((b) => b.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    // the indexed search agrees with a linear one
    for (const x of [-1_500, 0, 1_234, 3_999]) {
      const linear = t.boulders.filter((b) => Math.abs(b.x - x) <= 60 + b.radius);
      expect(t.bouldersNear(x, 60)).toEqual(linear);
    }
  });

  it('draws crater radii and depths from the settings', () => {
    const t = Terrain.generate(rough(), 9);
    expect(t.craters).toHaveLength(20);
    for (const c of t.craters) {
      expect(c.radius).toBeGreaterThanOrEqual(10);
      expect(c.radius).toBeLessThan(80);
      expect(c.depth).toBeCloseTo(0.2 * c.radius, 12);
    }
  });

  it('refuses an empty span', () => {
    expect(() => Terrain.generate({ ...aScenario().terrain, xMin: 10, xMax: 10 }, 1)).toThrow(
      LanderError,
    );
  });
});
