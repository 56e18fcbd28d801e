import { LUNAR_GRAVITY, THROTTLE_FULL } from './constants';
import { LanderError } from './errors';
import { LanderSimulator } from './simulator';
import { aScenario } from './testing/scenario.builder';
import type { Command } from './types';

const DEG = Math.PI / 180;

describe('LanderSimulator', () => {
  it('starts initial.altitude above the ground under initial.x, at the initial pitch', () => {
    const scenario = aScenario({
      initial: { x: 250, pitchDeg: -12, throttle: 0.35 },
      terrain: { baseHeight: 40, ramps: { count: 6, maxSlopeDeg: 5 } },
    });
    const sim = LanderSimulator.start(scenario);
    expect(sim.state).toEqual({
      t: 0,
      tick: 0,
      x: 250,
      z: sim.terrain.heightAt(250) + 500,
      vx: 0,
      vz: -10,
      pitch: -12 * DEG,
      pitchCommand: -12 * DEG,
      throttle: 0.35,
      dryMass: 6_600,
      fuel: 800,
    });
    expect(sim.altitude).toBeCloseTo(500, 9);
    expect(sim.status).toBe('flying');
    expect(sim.done).toBe(false);
    expect(sim.touchdown).toBeNull();
    expect(sim.step).toBe(0);
    expect(Object.isFrozen(sim.state)).toBe(true);
    expect(sim.scenario).toEqual(scenario);
  });

  it('refuses a scenario whose initial engine setting or timing is impossible', () => {
    expect(() => LanderSimulator.start(aScenario({ initial: { throttle: 0.8 } }))).toThrow(
      expect.objectContaining({ code: 'invalid_scenario' }),
    );
    expect(() =>
      LanderSimulator.start(aScenario({ timing: { physicsHz: 50, decisionHz: 3 } })),
    ).toThrow(/whole multiple/);
  });

  it('runs physicsHz / decisionHz ticks per advance', () => {
    const sim = LanderSimulator.start(aScenario({ timing: { physicsHz: 40, decisionHz: 4 } }));
    sim.advance();
    expect(sim.state.tick).toBe(10);
    expect(sim.state.t).toBe(0.25);
    expect(sim.step).toBe(1);
    sim.advance();
    expect(sim.step).toBe(2);
  });

  it('reports true telemetry', () => {
    const sim = LanderSimulator.start(aScenario({ initial: { pitchDeg: 5 } }));
    sim.advance();
    expect(sim.telemetry()).toEqual({
      t: 1,
      x: 0,
      altitude: expect.closeTo(500 - 10 - 0.81, 9),
      vx: 0,
      vz: expect.closeTo(-10 - LUNAR_GRAVITY, 9),
      pitchDeg: expect.closeTo(5, 12),
      throttle: 0,
      fuel: 800,
    });
  });

  it('finds the contact instant within the tick and judges the touchdown', () => {
    const sim = LanderSimulator.start(aScenario());
    while (!sim.done) sim.advance();
    // engine off from 500 m at -10 m/s: 500 - 10 t - 0.81 t² = 0
    const t = (-10 + Math.sqrt(100 + 2 * LUNAR_GRAVITY * 500)) / LUNAR_GRAVITY;
    expect(sim.status).toBe('crashed');
    expect(sim.state.t).toBeCloseTo(t, 4);
    expect(sim.altitude).toBeCloseTo(0, 6);
    expect(sim.state.vz).toBeCloseTo(-10 - LUNAR_GRAVITY * t, 3);
    expect(sim.touchdown).toMatchObject({
      verdict: 'crashed',
      t: sim.state.t,
      fuelUsed: 0,
      fuelLeft: 800,
    });
    expect(sim.step).toBe(20);
  });

  it('lands a craft that starts on the ground at rest safely', () => {
    const sim = LanderSimulator.start(aScenario({ initial: { altitude: 0, vz: 0 } }));
    sim.advance();
    expect(sim.status).toBe('landed');
    expect(sim.touchdown?.verdict).toBe('safe');
    expect(sim.state.tick).toBe(1);
  });

  it('reports out_of_fuel for a landing after the tanks ran dry', () => {
    const sim = LanderSimulator.start(
      aScenario({ craft: { fuelKg: 10 }, initial: { altitude: 5, vz: -1 } }),
    );
    sim.command({ throttle: THROTTLE_FULL });
    while (!sim.done) sim.advance();
    expect(sim.state.fuel).toBe(0);
    expect(sim.status).toBe('landed');
    expect(sim.touchdown?.verdict).toBe('out_of_fuel');
  });

  it('ends out_of_bounds past the end of the terrain, and as timeout at maxSeconds', () => {
    const fast = LanderSimulator.start(aScenario({ initial: { altitude: 5_000, vx: 800, vz: 0 } }));
    while (!fast.done) fast.advance();
    expect(fast.status).toBe('out_of_bounds');
    expect(fast.state.x).toBeGreaterThan(4_000);
    expect(fast.state.x).toBeLessThan(4_000 + 800 / 50 + 1);

    const slow = LanderSimulator.start(
      aScenario({ initial: { altitude: 5_000 }, timing: { maxSeconds: 3 } }),
    );
    slow.advance();
    slow.advance();
    expect(slow.status).toBe('flying');
    slow.advance();
    expect(slow.status).toBe('timeout');
    expect(slow.state.t).toBe(3);
  });

  it('aborts on request and refuses commands once the run has ended', () => {
    const sim = LanderSimulator.start(aScenario());
    sim.abort();
    expect(sim.status).toBe('aborted');
    expect(sim.done).toBe(true);
    expect(() => sim.command({ throttle: 1 })).toThrow(
      /cannot command: the run has ended \(aborted\)/,
    );
    expect(() => sim.abort()).toThrow(LanderError);
    const tick = sim.state.tick;
    sim.advance(); // does nothing
    expect(sim.state.tick).toBe(tick);
  });

  it('senses and scans around the craft', () => {
    const sim = LanderSimulator.start(aScenario());
    expect(sim.sense()).toMatchObject({ radarAltitude: 500, vz: -10, mass: 7_400 });
    const scan = sim.scan();
    expect(scan.x0).toBe(-300);
    expect(scan.heights).toHaveLength(121);
  });
});

describe('LanderSimulator checkpoints', () => {
  const scenario = aScenario({
    seed: 2024,
    initial: { x: 100, altitude: 800, vx: 15, vz: -20, pitchDeg: 0 },
    terrain: {
      ramps: { count: 8, maxSlopeDeg: 6 },
      craters: { count: 15, minRadius: 10, maxRadius: 60, depthRatio: 0.2 },
      boulders: { perKm: 40, minHeight: 0.2, maxHeight: 2.5 },
    },
    sensors: { radarNoise: 1.5, velocityNoise: 0.3, scanNoise: 3 },
    timing: { physicsHz: 50, decisionHz: 2 },
  });
  const script: Command[] = Array.from({ length: 40 }, (_, i) => ({
    throttle: [0.6, 1, 0.35, 0.1, 0][i % 5],
    pitch: (((i * 7) % 11) - 5) * 2 * DEG,
  }));

  function fly(sim: LanderSimulator, from: number, to: number) {
    const trace = [];
    for (let i = from; i < to && !sim.done; i++) {
      sim.command(script[i]);
      sim.advance();
      trace.push({
        state: sim.state,
        reading: sim.sense(),
        scan: sim.scan(100, 10),
        status: sim.status,
      });
    }
    return trace;
  }

  it('continues bit-identically after a JSON round trip', () => {
    const k = 12;
    const original = LanderSimulator.start(scenario);
    const before = fly(original, 0, k);
    const checkpoint = JSON.parse(JSON.stringify(original.checkpoint()));
    const after = fly(original, k, script.length);
    expect(before.length + after.length).toBeGreaterThan(k + 5); // it was still flying well past k

    const restored = LanderSimulator.restore(scenario, checkpoint);
    expect(restored.state).toEqual(before[k - 1].state);
    expect(restored.step).toBe(k);
    const replay = fly(restored, k, script.length);
    expect(replay).toEqual(after);
    replay.forEach((r, i) => {
      for (const key of Object.keys(r.state) as Array<keyof typeof r.state>) {
        expect(Object.is(r.state[key], after[i].state[key])).toBe(true);
      }
      expect(Object.is(r.reading.radarAltitude, after[i].reading.radarAltitude)).toBe(true);
    });
    expect(restored.status).toBe(original.status);
    expect(restored.touchdown).toEqual(original.touchdown);
  });

  it('continues bit-identically with a throttle lag, the engine level in the checkpoint', () => {
    const lagged = { ...scenario, craft: { ...scenario.craft, throttleLagSeconds: 1.2 } };
    const original = LanderSimulator.start(lagged);
    expect(original.state.engineLevel).toBe(lagged.initial.throttle);
    fly(original, 0, 6);
    const checkpoint = JSON.parse(JSON.stringify(original.checkpoint()));
    expect(checkpoint.state.engineLevel).toBeGreaterThan(0);
    expect(checkpoint.state.engineLevel).not.toBe(checkpoint.state.throttle);
    // its gauge reads the engine's level and response time; a prompt engine has no gauge
    expect(original.sense().engine).toEqual({
      level: checkpoint.state.engineLevel,
      lagSeconds: 1.2,
    });
    expect(LanderSimulator.start(scenario).sense()).not.toHaveProperty('engine');
    // and the telemetry (what the console plots) carries the level beside the setting
    expect(original.telemetry().engineLevel).toBe(checkpoint.state.engineLevel);
    expect(LanderSimulator.start(scenario).telemetry()).not.toHaveProperty('engineLevel');
    const after = fly(original, 6, script.length);
    const restored = LanderSimulator.restore(lagged, checkpoint);
    expect(fly(restored, 6, script.length)).toEqual(after);
    // the lag changes the flight: the same commands without it end elsewhere
    const prompt = LanderSimulator.start(scenario);
    fly(prompt, 0, script.length);
    expect(prompt.state.z).not.toBeCloseTo(original.state.z, 1);
  });

  it('restores a finished run with its touchdown report', () => {
    const sim = LanderSimulator.start(aScenario());
    while (!sim.done) sim.advance();
    const restored = LanderSimulator.restore(
      aScenario(),
      JSON.parse(JSON.stringify(sim.checkpoint())),
    );
    expect(restored.status).toBe('crashed');
    expect(restored.touchdown).toEqual(sim.touchdown);
    expect(() => restored.command({ throttle: 1 })).toThrow(/has ended/);
  });

  it('refuses a checkpoint of another scenario or a malformed one', () => {
    const cp = LanderSimulator.start(scenario).checkpoint();
    const refuse = (value: unknown, message: RegExp) => {
      let error: unknown;
      try {
        LanderSimulator.restore(scenario, value as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LanderError);
      expect(error).toMatchObject({
        code: 'invalid_checkpoint',
        message: expect.stringMatching(message),
      });
    };
    refuse({ ...cp, scenarioId: 'other-01' }, /belongs to scenario "other-01", not "test-01"/);
    refuse(null, /not an object/);
    refuse({ ...cp, state: { ...cp.state, vz: 'fast' } }, /state\.vz: expected a finite number/);
    refuse({ ...cp, state: { ...cp.state, fuel: -1 } }, /state\.fuel/);
    refuse({ ...cp, state: { ...cp.state, throttle: 0.8 } }, /state\.throttle/);
    refuse(
      { ...cp, state: { ...cp.state, engineLevel: 1.5 } },
      /state\.engineLevel: expected a number from 0 to 1/,
    );
    refuse({ ...cp, status: 'landed' }, /touchdown: a landed run needs its touchdown report/);
    refuse({ ...cp, status: 'hovering' }, /unknown status/);
    refuse({ ...cp, fuelAtStart: 5 }, /fuelAtStart/);
  });
});
