import { THROTTLE_FULL } from './constants';
import { verticalFuelLimit, verticalFuelOptimalBurn } from './fuel-limit';
import { stepPhysics } from './physics';
import { LanderSimulator } from './simulator';
import { aScenario } from './testing/scenario.builder';
import type { CraftState } from './types';

describe('verticalFuelLimit', () => {
  const scenario = aScenario(); // 500 m up, sinking at 10 m/s, 7,400 kg

  it('is a positive amount of propellant, below what a constant-throttle descent uses', () => {
    const limit = verticalFuelLimit(scenario);
    expect(limit).toBeCloseTo(116.3, 1);

    // a constant 27.7 % throttle happens to set the craft down safely, burning far more
    const sim = LanderSimulator.start(aScenario({ initial: { throttle: 0.277 } }));
    while (!sim.done) sim.advance();
    expect(sim.touchdown?.verdict).toBe('safe');
    expect(sim.touchdown?.fuelUsed).toBeGreaterThan(2 * (limit ?? Infinity));
  });

  it('describes a burn that reaches 0 m/s exactly at the ground when flown with the same physics', () => {
    const burn = verticalFuelOptimalBurn(scenario);
    if (!burn) throw new Error('expected a burn');
    const dt = 1 / scenario.timing.physicsHz;
    let s: CraftState = {
      t: 0,
      tick: 0,
      x: 0,
      z: 500,
      vx: 0,
      vz: -10,
      pitch: 0,
      pitchCommand: 0,
      throttle: 0,
      dryMass: 6_600,
      fuel: 800,
    };
    s = { ...stepPhysics(s, burn.ignitionTime), throttle: THROTTLE_FULL };
    expect(s.z).toBeCloseTo(burn.ignitionAltitude, 9);
    expect(s.z).toBeCloseTo(500 - 10 * burn.ignitionTime - 0.81 * burn.ignitionTime ** 2, 9);
    while (s.vz < 0 && s.z > 0) s = stepPhysics(s, dt);
    // it stops within a tick of the ground, a hair above it
    expect(s.z).toBeGreaterThan(-1e-6);
    expect(s.z).toBeLessThan(0.01);
    expect(Math.abs(s.vz)).toBeLessThan(0.1);
    expect(800 - s.fuel).toBeGreaterThanOrEqual(burn.fuelKg);
    expect(800 - s.fuel).toBeLessThan(burn.fuelKg + 0.3); // at most one tick of full thrust more
  });

  it('lands softly in the simulator when the engine is lit on the first tick after ignition time', () => {
    const burn = verticalFuelOptimalBurn(scenario);
    if (!burn) throw new Error('expected a burn');
    const sim = LanderSimulator.start(aScenario({ timing: { decisionHz: 50 } }));
    while (sim.state.t < burn.ignitionTime) sim.advance();
    sim.command({ throttle: THROTTLE_FULL });
    while (!sim.done) sim.advance();
    expect(sim.status).toBe('landed');
    // lighting δ late leaves about sqrt(2 · 4.5 m/s² · 35.6 m/s · δ) at the ground; δ < 1 tick here
    expect(sim.touchdown?.verticalSpeed).toBeLessThan(1);
    expect(sim.touchdown?.verdict).toBe('safe');
    // touching down at 0.8 m/s rather than 0 ends the burn about 0.16 s (2.5 kg) early
    expect(sim.touchdown?.fuelUsed).toBeLessThan(burn.fuelKg);
    expect(sim.touchdown?.fuelUsed).toBeGreaterThan(burn.fuelKg - 5);
  });

  it('needs less propellant from lower and slower starts', () => {
    const lower = verticalFuelLimit(aScenario({ initial: { altitude: 200, vz: -5 } }));
    expect(lower).toBeLessThan(verticalFuelLimit(scenario) ?? 0);
    expect(lower).toBeGreaterThan(0);
  });

  it('handles a craft still climbing at the start: it coasts over the top first', () => {
    const rising = verticalFuelOptimalBurn(aScenario({ initial: { altitude: 100, vz: 5 } }));
    expect(rising?.ignitionTime).toBeGreaterThan(5 / 1.62);
    expect(rising?.fuelKg).toBeGreaterThan(0);
  });

  it('is null when the craft cannot stop in time, lacks the propellant, or the thrust', () => {
    expect(verticalFuelLimit(aScenario({ initial: { altitude: 50, vz: -40 } }))).toBeNull();
    expect(verticalFuelLimit(aScenario({ craft: { fuelKg: 20 } }))).toBeNull();
    expect(verticalFuelLimit(aScenario({ craft: { dryMassKg: 30_000 } }))).toBeNull();
  });

  it('is zero when the craft is already resting on the ground', () => {
    expect(verticalFuelLimit(aScenario({ initial: { altitude: 0, vz: 0 } }))).toBe(0);
  });
});
