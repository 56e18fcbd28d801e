import { DEFAULT_DECISION_HZ, DEFAULT_PHYSICS_HZ } from './constants';
import { LanderError } from './errors';
import { parseScenario, type ScenarioInput } from './scenario.schema';

function valid(): ScenarioInput {
  return {
    id: 'test-01',
    family: 'test',
    seed: 42,
    craft: { dryMassKg: 6600, fuelKg: 600 },
    initial: { x: 0, altitude: 500, vx: 1, vz: -10, pitchDeg: 0, throttle: 0 },
    target: { x: 10 },
    terrain: {
      xMin: -1000,
      xMax: 1000,
      baseHeight: 0,
      ramps: { count: 4, maxSlopeDeg: 3 },
      craters: { count: 2, minRadius: 10, maxRadius: 40, depthRatio: 0.2 },
      boulders: { perKm: 2, minHeight: 0.2, maxHeight: 1 },
    },
    sensors: { radarNoise: 0.5, radarBeamHalfAngleDeg: 10, velocityNoise: 0.05, scanNoise: 0.5 },
  };
}

/** The LanderError `parseScenario` throws for `input`. */
function refuse(input: unknown): LanderError {
  try {
    parseScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(LanderError);
    expect((e as LanderError).code).toBe('invalid_scenario');
    return e as LanderError;
  }
  throw new Error('expected parseScenario to refuse the input');
}

/** A valid scenario with `edit` applied. */
function edited(edit: (s: ScenarioInput & Record<string, unknown>) => void): unknown {
  const s = structuredClone(valid()) as ScenarioInput & Record<string, unknown>;
  edit(s);
  return s;
}

describe('parseScenario', () => {
  it('accepts a valid scenario and fills in the timing defaults', () => {
    const s = parseScenario(valid());
    expect(s.timing).toEqual({
      physicsHz: DEFAULT_PHYSICS_HZ,
      decisionHz: DEFAULT_DECISION_HZ,
      maxSeconds: 600,
    });
    expect(s.description).toBeUndefined();
    expect(s.terrain.features).toBeUndefined();
    expect(s.craft).toEqual({ dryMassKg: 6600, fuelKg: 600 });
  });

  it('accepts every allowed throttle setting, explicit timing and features', () => {
    for (const throttle of [0, 0.1, 0.35, 0.6, 1])
      expect(parseScenario(edited((s) => (s.initial.throttle = throttle))).initial.throttle).toBe(
        throttle,
      );
    const s = parseScenario(
      edited((s) => {
        s.timing = { physicsHz: 100, decisionHz: 4, maxSeconds: 120 };
        s.terrain.features = [
          { kind: 'boulder', x: 10, height: 1.5 },
          { kind: 'crater', x: -50, radius: 20, depth: 4 },
        ];
      }),
    );
    expect(s.timing).toEqual({ physicsHz: 100, decisionHz: 4, maxSeconds: 120 });
    expect(s.terrain.features).toHaveLength(2);
  });

  it('refuses a negative dry mass, naming the path and the value', () => {
    const e = refuse(edited((s) => (s.craft.dryMassKg = -5)));
    expect(e.message).toBe('craft.dryMassKg: must be a positive number of kilograms, got -5');
    expect(e.problems).toEqual([
      { path: 'craft.dryMassKg', message: 'must be a positive number of kilograms, got -5' },
    ]);
  });

  it('takes an optional throttle lag from 0 to 10 s and refuses one outside', () => {
    const lagged = parseScenario(edited((s) => (s.craft.throttleLagSeconds = 1.5)));
    expect(lagged.craft.throttleLagSeconds).toBe(1.5);
    const e = refuse(edited((s) => (s.craft.throttleLagSeconds = -1)));
    expect(e.message).toBe(
      'craft.throttleLagSeconds: must be an engine response time in seconds from 0 to 10, got -1',
    );
  });

  it('refuses a throttle between the throttled band and full thrust', () => {
    const e = refuse(edited((s) => (s.initial.throttle = 0.75)));
    expect(e.message).toBe(
      "initial.throttle: 0.75 is outside the descent engine's range: 0 (off), 0.1 to 0.6, or 1 (full thrust)",
    );
  });

  it('refuses unknown keys by name, at any depth', () => {
    const e = refuse(
      edited((s) => {
        s['colour'] = 'red';
        (s.craft as Record<string, unknown>)['wetMassKg'] = 7000;
      }),
    );
    expect(e.problems.map((p) => p.path).sort()).toEqual(['colour', 'craft.wetMassKg']);
    const colour = e.problems.find((p) => p.path === 'colour');
    expect(colour?.message).toMatch(/not a known field; allowed fields: id, family, seed/);
    expect(e.message).toMatch(/ \(and 1 more problem, in (colour|craft\.wetMassKg)\)$/);
  });

  it('refuses a physics rate that is not a whole multiple of the decision rate', () => {
    const e = refuse(edited((s) => (s.timing = { physicsHz: 50, decisionHz: 3 })));
    expect(e.problems).toEqual([
      {
        path: 'timing.physicsHz',
        message: expect.stringMatching(/whole multiple of decisionHz \(3\)/),
      },
    ]);
  });

  it('refuses a target or start outside the terrain', () => {
    const e = refuse(edited((s) => (s.target.x = 5000)));
    expect(e.problems).toEqual([
      { path: 'target.x', message: '5000 is outside the terrain [-1000, 1000]' },
    ]);
    expect(refuse(edited((s) => (s.initial.x = -1001))).problems[0].path).toBe('initial.x');
  });

  it.each<[string, (s: ScenarioInput & Record<string, unknown>) => void, string, RegExp]>([
    ['negative fuel', (s) => (s.craft.fuelKg = -1), 'craft.fuelKg', /non-negative/],
    ['zero altitude', (s) => (s.initial.altitude = 0), 'initial.altitude', /more than 0/],
    ['altitude too high', (s) => (s.initial.altitude = 25_000), 'initial.altitude', /20000/],
    ['NaN speed', (s) => (s.initial.vz = NaN), 'initial.vz', /got NaN/],
    ['infinite x', (s) => (s.initial.x = Infinity), 'initial.x', /got Infinity/],
    ['a string', (s) => ((s.initial as Record<string, unknown>).vx = '3'), 'initial.vx', /got "3"/],
    [
      'missing field',
      (s) => delete (s.craft as Partial<typeof s.craft>).fuelKg,
      'craft.fuelKg',
      /is required/,
    ],
    ['pitch too far', (s) => (s.initial.pitchDeg = 80), 'initial.pitchDeg', /-75 to 75/],
    ['xMin >= xMax', (s) => (s.terrain.xMax = -1000), 'terrain.xMax', /greater than xMin/],
    [
      'fractional ramps',
      (s) => (s.terrain.ramps.count = 2.5),
      'terrain.ramps.count',
      /whole number/,
    ],
    [
      'too many craters',
      (s) => (s.terrain.craters.count = 501),
      'terrain.craters.count',
      /0 to 500/,
    ],
    [
      'radius order',
      (s) => (s.terrain.craters.minRadius = 50),
      'terrain.craters.minRadius',
      /must not exceed maxRadius/,
    ],
    [
      'height order',
      (s) => (s.terrain.boulders.minHeight = 2),
      'terrain.boulders.minHeight',
      /must not exceed/,
    ],
    [
      'too many boulders',
      (s) => (s.terrain.boulders.perKm = 501),
      'terrain.boulders.perKm',
      /0 to 500/,
    ],
    ['negative noise', (s) => (s.sensors.radarNoise = -0.1), 'sensors.radarNoise', /0 to 500/],
    // Noise of 1e308 m made every reading Infinity and the builtin team's commands NaN.
    ['huge radar noise', (s) => (s.sensors.radarNoise = 1e308), 'sensors.radarNoise', /0 to 500/],
    [
      'huge velocity noise',
      (s) => (s.sensors.velocityNoise = 51),
      'sensors.velocityNoise',
      /0 to 50/,
    ],
    ['huge scan noise', (s) => (s.sensors.scanNoise = 501), 'sensors.scanNoise', /0 to 500/],
    [
      'bottomless crater',
      (s) => (s.terrain.features = [{ kind: 'crater', x: 0, radius: 10, depth: 1e308 }]),
      'terrain.features.0.depth',
      /0 to 5000/,
    ],
    [
      'zero beam',
      (s) => (s.sensors.radarBeamHalfAngleDeg = 0),
      'sensors.radarBeamHalfAngleDeg',
      /more than 0/,
    ],
    [
      'wide beam',
      (s) => (s.sensors.radarBeamHalfAngleDeg = 46),
      'sensors.radarBeamHalfAngleDeg',
      /at most 45/,
    ],
    [
      'slow physics',
      (s) => (s.timing = { physicsHz: 5, decisionHz: 1 }),
      'timing.physicsHz',
      /10 to 1000/,
    ],
    ['zero decision rate', (s) => (s.timing = { decisionHz: 0 }), 'timing.decisionHz', /from 0\.1/],
    [
      'a decision rate no craft is flown by (one in 30 years)',
      (s) => (s.timing = { physicsHz: 10, decisionHz: 1e-9 }),
      'timing.decisionHz',
      /a decision rate in Hz from 0\.1 to 1000, got 1e-9/,
    ],
    ['long run', (s) => (s.timing = { maxSeconds: 4000 }), 'timing.maxSeconds', /at most 3600/],
    ['fractional seed', (s) => (s.seed = 1.5), 'seed', /integer/],
    ['bad id', (s) => (s.id = '-x y'), 'id', /letters, digits/],
    ['long id', (s) => (s.id = 'a'.repeat(65)), 'id', /1 to 64/],
    [
      'feature off the map',
      (s) => (s.terrain.features = [{ kind: 'boulder', x: 2000, height: 1 }]),
      'terrain.features.0.x',
      /outside the terrain/,
    ],
    [
      'unknown feature',
      (s) => ((s.terrain as Record<string, unknown>).features = [{ kind: 'rille', x: 0 }]),
      'terrain.features.0.kind',
      /"crater".*"boulder"/,
    ],
  ])('refuses %s', (_, edit, path, message) => {
    const e = refuse(edited(edit));
    expect(e.problems[0].path).toBe(path);
    expect(e.problems[0].message).toMatch(message);
  });

  it('refuses input that is not an object', () => {
    expect(refuse(null).message).toMatch(/^scenario: must be an object with fields id, family/);
    expect(refuse([]).message).toMatch(/got an array/);
  });

  it('reports every problem, the first in the message', () => {
    const e = refuse(
      edited((s) => {
        s.craft.dryMassKg = 0;
        s.initial.throttle = 0.05;
        s.sensors.scanNoise = -1;
      }),
    );
    expect(e.problems.map((p) => p.path)).toEqual([
      'craft.dryMassKg',
      'initial.throttle',
      'sensors.scanNoise',
    ]);
    // The others by field: one run names every field to fix.
    expect(e.message).toMatch(
      /^craft\.dryMassKg: .* \(and 2 more problems, in initial\.throttle, sensors\.scanNoise\)$/,
    );
  });
});
