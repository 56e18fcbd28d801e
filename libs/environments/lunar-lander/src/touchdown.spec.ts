import { Terrain } from './terrain';
import { classifyTouchdown, type TouchdownInput } from './touchdown';
import { aScenario } from './testing/scenario.builder';
import type { TerrainSettings } from './types';

const DEG = Math.PI / 180;

const terrain = (over: Partial<TerrainSettings> = {}) =>
  Terrain.generate({ ...aScenario().terrain, ...over }, 1);

const aTouchdown = (over: Partial<TouchdownInput> = {}): TouchdownInput => ({
  t: 61.5,
  x: 12,
  vx: 0.3,
  vz: -1.2,
  pitch: 2 * DEG,
  fuel: 250,
  fuelAtStart: 800,
  targetX: 0,
  terrain: terrain(),
  ...over,
});

describe('classifyTouchdown', () => {
  it('calls a gentle, level, upright touchdown on clear ground safe and reports its numbers', () => {
    const report = classifyTouchdown(aTouchdown());
    expect(report).toEqual({
      verdict: 'safe',
      violations: [],
      t: 61.5,
      x: 12,
      verticalSpeed: 1.2,
      horizontalSpeed: 0.3,
      tiltDeg: expect.closeTo(2, 12),
      slopeDeg: 0,
      boulderHeight: 0,
      fuelUsed: 550,
      fuelLeft: 250,
      distanceToTarget: 12,
    });
  });

  it('calls a vertical speed over 3 m/s hard', () => {
    const report = classifyTouchdown(aTouchdown({ vz: -4 }));
    expect(report.verdict).toBe('hard');
    expect(report.violations).toEqual(['vertical_speed']);
  });

  it('calls a tilt beyond 6° tipped', () => {
    const report = classifyTouchdown(aTouchdown({ pitch: -8 * DEG }));
    expect(report.verdict).toBe('tipped');
    expect(report.violations).toEqual(['tilt']);
    expect(report.tiltDeg).toBeCloseTo(8, 12);
  });

  it('calls ground steeper than 12° under the footprint tipped', () => {
    // a 20 m crater 10 m deep: its wall at 10 m out rises about 20° across the gear
    const report = classifyTouchdown(
      aTouchdown({
        terrain: terrain({ features: [{ kind: 'crater', x: 22, radius: 20, depth: 10 }] }),
      }),
    );
    expect(report.verdict).toBe('tipped');
    expect(report.violations).toEqual(['slope']);
    expect(report.slopeDeg).toBeGreaterThan(12);
  });

  it('calls a horizontal speed over 1.2 m/s tipped', () => {
    const report = classifyTouchdown(aTouchdown({ vx: -2 }));
    expect(report.verdict).toBe('tipped');
    expect(report.violations).toEqual(['horizontal_speed']);
    expect(report.horizontalSpeed).toBe(2);
  });

  it('calls a boulder taller than the gear clearance under the footprint a hazard', () => {
    const rocky = terrain({
      features: [
        { kind: 'boulder', x: 15, height: 1.1 },
        { kind: 'boulder', x: 10, height: 0.5 },
        { kind: 'boulder', x: 40, height: 3 }, // outside the footprint
      ],
    });
    const report = classifyTouchdown(aTouchdown({ terrain: rocky }));
    expect(report.verdict).toBe('hazard');
    expect(report.violations).toEqual(['boulder']);
    expect(report.boulderHeight).toBe(1.1);
    // a small rock alone is straddled
    expect(classifyTouchdown(aTouchdown({ terrain: rocky, x: 8 })).verdict).toBe('safe');
  });

  it('calls a touchdown with empty tanks out_of_fuel, ahead of hard and tipped', () => {
    const report = classifyTouchdown(aTouchdown({ fuel: 0, vz: -5, vx: 2 }));
    expect(report.verdict).toBe('out_of_fuel');
    expect(report.violations).toEqual(['vertical_speed', 'horizontal_speed', 'out_of_fuel']);
    expect(report.fuelUsed).toBe(800);
  });

  it('calls a vertical speed over 9 m/s crashed, ahead of everything else', () => {
    const report = classifyTouchdown(aTouchdown({ vz: -9.5, fuel: 0, pitch: 10 * DEG }));
    expect(report.verdict).toBe('crashed');
    expect(report.violations).toEqual(['vertical_speed', 'tilt', 'out_of_fuel']);
  });

  it('ranks hard above tipped, and tipped above hazard', () => {
    const rocky = terrain({ features: [{ kind: 'boulder', x: 12, height: 2 }] });
    expect(classifyTouchdown(aTouchdown({ vz: -4, vx: 3, terrain: rocky })).verdict).toBe('hard');
    expect(classifyTouchdown(aTouchdown({ vx: 3, terrain: rocky })).verdict).toBe('tipped');
  });
});
