import { verticalFuelLimit } from './fuel-limit';
import { parseScenario } from './scenario.schema';
import {
  allFamilyNames,
  expandFamily,
  familyNames,
  isBundledFamily,
  resolveScenario,
  stressFamilyNames,
} from './scenario-families';
import { senseAt } from './sensors';
import { LanderSimulator } from './simulator';
import { Terrain } from './terrain';

describe('the stress families', () => {
  it('are bundled and resolvable by name, but not part of the day-one families', () => {
    expect(stressFamilyNames()).toEqual([
      'crosswind',
      'tight-fuel',
      'bad-radar',
      'hazard-site',
      'steep-approach',
    ]);
    expect(familyNames()).not.toContain('tight-fuel');
    expect(allFamilyNames()).toHaveLength(familyNames().length + stressFamilyNames().length);
    expect(isBundledFamily('crosswind')).toBe(true);
    expect(isBundledFamily('moon')).toBe(false);
    expect(resolveScenario({ family: 'bad-radar', index: 3 }).id).toBe('bad-radar-03');
  });

  it('give each family the property it is named for', () => {
    const crosswind = expandFamily('crosswind');
    expect(crosswind.every((s) => s.initial.vx >= 45)).toBe(true);
    const radar = expandFamily('bad-radar');
    expect(radar.some((s) => (s.sensors.radarBias ?? 0) < -10)).toBe(true);
    expect(radar.some((s) => (s.sensors.radarBias ?? 0) > 10)).toBe(true);
    const steep = expandFamily('steep-approach');
    expect(steep.every((s) => s.initial.vz <= -40 && s.initial.altitude >= 2500)).toBe(true);
    const hazard = expandFamily('hazard-site')[0];
    expect(hazard.terrain.features?.some((f) => f.kind === 'boulder' && f.height > 1)).toBe(true);
  });

  it('tight-fuel carries 1.1 to 1.2 times the vertical fuel-optimal need', () => {
    // Three scenarios, not twenty: each limit costs a few hundred ms of bisection.
    for (const s of expandFamily('tight-fuel').slice(0, 3)) {
      const ratio = s.craft.fuelKg / verticalFuelLimit(s)!;
      expect(ratio).toBeGreaterThan(1.09);
      expect(ratio).toBeLessThan(1.21);
    }
  }, 30_000);
});

describe('radar bias', () => {
  const base = expandFamily('easy')[0];
  const withBias = (radarBias?: number) =>
    parseScenario({ ...base, sensors: { ...base.sensors, radarBias } });

  it('shifts every radar reading by the bias and leaves the other sensors alone', () => {
    const read = (radarBias?: number) => {
      const s = withBias(radarBias);
      const sim = LanderSimulator.start(s);
      return senseAt({
        seed: s.seed,
        sensors: s.sensors,
        terrain: Terrain.generate(s.terrain, s.seed),
        state: sim.state,
      });
    };
    const plain = read(undefined);
    const biased = read(25);
    expect(biased.radarAltitude - plain.radarAltitude).toBeCloseTo(25, 9);
    expect(biased.vx).toBe(plain.vx);
    expect(read(0)).toEqual(plain);
  });

  it('is refused beyond 500 m with a message naming the field', () => {
    expect(() => withBias(900)).toThrow(/sensors.radarBias: must be a radar bias in metres/);
  });
});
