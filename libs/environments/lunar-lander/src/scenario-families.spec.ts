import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import easyJson from '../scenarios/easy.json';
import { LUNAR_GRAVITY, MAX_THRUST_N, THROTTLE_MAX_THROTTLED, THROTTLE_MIN } from './constants';
import { LanderError } from './errors';
import { parseScenario } from './scenario.schema';
import {
  BUNDLED_FAMILIES,
  expandFamily,
  familyHash,
  familyNames,
  freshDraws,
  parseFamily,
  resolveScenario,
  scenarioFor,
  scenarioInputFromJson,
  scenariosFromJson,
} from './scenario-families';

function thrown(fn: () => unknown): LanderError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LanderError);
    return e as LanderError;
  }
  throw new Error('expected a LanderError');
}

function get(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], root);
}

describe('bundled families', () => {
  it('are easy, downrange, boulder-field and high-gate', () => {
    expect(familyNames()).toEqual(['easy', 'downrange', 'boulder-field', 'high-gate']);
  });

  describe.each(familyNames())('%s', (name) => {
    const family = BUNDLED_FAMILIES[name];
    const scenarios = expandFamily(name);

    it('expands to count valid scenarios with padded ids', () => {
      expect(scenarios).toHaveLength(family.count);
      scenarios.forEach((s, i) => {
        expect(parseScenario(s)).toEqual(s);
        expect(s.id).toBe(`${name}-${String(i).padStart(2, '0')}`);
        expect(s.family).toBe(name);
      });
      expect(new Set(scenarios.map((s) => s.id)).size).toBe(family.count);
    });

    it('is deterministic', () => {
      expect(expandFamily(name)).toEqual(scenarios);
      expect(scenarioFor(name, 3)).toEqual(scenarios[3]);
    });

    it('gives different indexes different seeds and values', () => {
      expect(new Set(scenarios.map((s) => s.seed)).size).toBe(family.count);
      for (const path of Object.keys(family.vary))
        expect(new Set(scenarios.map((s) => get(s, path))).size).toBeGreaterThan(family.count / 2);
    });

    it('draws every varied value inside its range and keeps the rest of the base', () => {
      for (const s of scenarios) {
        for (const [path, [min, max]] of Object.entries(family.vary)) {
          const v = get(s, path) as number;
          expect(v).toBeGreaterThanOrEqual(min);
          expect(v).toBeLessThanOrEqual(max);
        }
        expect(s.terrain.ramps).toEqual(family.base.terrain.ramps);
        expect(s.sensors).toEqual(family.base.sensors);
      }
    });

    it('can hover inside the throttled band in every scenario', () => {
      for (const s of scenarios) {
        const hover = ((s.craft.dryMassKg + s.craft.fuelKg) * LUNAR_GRAVITY) / MAX_THRUST_N;
        expect(hover).toBeGreaterThanOrEqual(THROTTLE_MIN);
        expect(hover).toBeLessThanOrEqual(THROTTLE_MAX_THROTTLED);
      }
    });
  });

  it('puts a 0.9 m boulder (taller than the gear clears) on the boulder-field target', () => {
    for (const s of expandFamily('boulder-field'))
      expect(s.terrain.features).toContainEqual(
        expect.objectContaining({ kind: 'boulder', x: s.target.x, height: 0.9 }),
      );
  });
});

describe('scenarioFor and resolveScenario', () => {
  it('refuses an unknown family, listing the bundled ones', () => {
    const e = thrown(() => scenarioFor('moon', 0));
    expect(e.code).toBe('unknown_family');
    expect(e.message).toBe(
      'unknown scenario family "moon"; bundled families: easy, downrange, boulder-field, high-gate, crosswind, tight-fuel, bad-radar, hazard-site, steep-approach',
    );
    expect(thrown(() => scenarioFor('constructor', 0)).code).toBe('unknown_family');
  });

  it.each([20, -1, 1.5, NaN])('refuses index %s', (index) => {
    const e = thrown(() => scenarioFor('easy', index));
    expect(e.code).toBe('unknown_scenario');
    expect(e.message).toMatch(/use an integer from 0 to 19/);
  });

  it('resolves a family and index, or an inline scenario', () => {
    expect(resolveScenario({ family: 'downrange', index: 7 })).toEqual(scenarioFor('downrange', 7));
    const inline = { ...scenarioFor('easy', 0), id: 'mine', family: 'custom' };
    expect(resolveScenario({ scenario: inline })).toEqual(inline);
    expect(thrown(() => resolveScenario({ scenario: { id: 'x' } })).code).toBe('invalid_scenario');
  });

  it('refuses tasks that name nothing, too much, or no index', () => {
    expect(thrown(() => resolveScenario({})).code).toBe('invalid_scenario');
    expect(
      thrown(() => resolveScenario({ family: 'easy', index: 0, scenario: scenarioFor('easy', 0) }))
        .message,
    ).toMatch(/not both/);
    expect(thrown(() => resolveScenario({ family: 'easy' })).code).toBe('unknown_scenario');
    expect(thrown(() => resolveScenario({ family: 'nope', index: 0 })).code).toBe('unknown_family');
  });

  it('expands a family given as an object', () => {
    const family = parseFamily({ ...easyJson, family: 'mini', count: 3 });
    expect(expandFamily(family).map((s) => s.id)).toEqual(['mini-00', 'mini-01', 'mini-02']);
  });
});

describe('parseFamily', () => {
  const edit = (fn: (f: Record<string, unknown>) => void) => {
    const f = structuredClone(easyJson) as unknown as Record<string, unknown>;
    fn(f);
    return thrown(() => parseFamily(f));
  };

  it('refuses vary paths that are not numeric base fields', () => {
    const e = edit((f) => ((f.vary as Record<string, unknown>)['initial.speed'] = [1, 2]));
    expect(e.code).toBe('invalid_family');
    expect(e.problems).toEqual([
      { path: 'vary.initial.speed', message: 'must name a numeric field of base' },
    ]);
    expect(edit((f) => ((f.vary as Record<string, unknown>)['terrain'] = [1, 2])).message).toMatch(
      /vary\.terrain: must name a numeric field/,
    );
  });

  it('refuses min > max and malformed ranges', () => {
    expect(
      edit((f) => ((f.vary as Record<string, unknown>)['initial.altitude'] = [600, 300]))
        .problems[0],
    ).toEqual({ path: 'vary.initial.altitude', message: 'min 600 must not exceed max 300' });
    expect(
      edit((f) => ((f.vary as Record<string, unknown>)['initial.altitude'] = [1])).problems[0].path,
    ).toBe('vary.initial.altitude');
  });

  it('refuses a family that would produce an invalid scenario', () => {
    const e = edit((f) => ((f.vary as Record<string, unknown>)['initial.x'] = [-5000, 0]));
    expect(e.message).toMatch(/^family "easy": vary\.initial\.x: .* is outside the terrain/);
    // The scenario by its id, as results name it, and by its place in the family.
    expect(e.message).toMatch(/ \(in scenario easy-\d{2}, the family's \d+(st|nd|rd|th)\)$/);
    const throttle = edit(
      (f) => ((f.vary as Record<string, unknown>)['initial.throttle'] = [0.6, 1]),
    );
    expect(throttle.problems[0].path).toBe('vary.initial.throttle');
  });

  it('refuses bad base fields and unknown keys with paths', () => {
    expect(
      edit((f) => ((f.base as { craft: { dryMassKg: number } }).craft.dryMassKg = -1)).problems[0]
        .path,
    ).toBe('base.craft.dryMassKg');
    expect(edit((f) => (f.extra = 1)).problems[0].path).toBe('extra');
    expect(edit((f) => (f.count = 0)).problems[0].path).toBe('count');
  });

  it('hashes stably', () => {
    expect(familyHash(1969, 0, 'a')).toBe(familyHash(1969, 0, 'a'));
    expect(familyHash(1969, 0, 'a')).not.toBe(familyHash(1969, 1, 'a'));
    expect(familyHash(1969, 0, 'a')).not.toBe(familyHash(1969, 0, 'b'));
    expect(familyHash(1969, 0, 'a')).not.toBe(familyHash(1969 + 2 ** 32, 0, 'a'));
  });
});

describe('scenariosFromJson (what a scenario file may hold)', () => {
  const family = { ...easyJson, family: 'mine', count: 3 };
  const one = scenarioFor('easy', 0);
  const error = (json: unknown) => {
    try {
      scenariosFromJson(json);
    } catch (err) {
      if (err instanceof LanderError) return err.message;
      throw err;
    }
    throw new Error('no error');
  };

  it('reads a family, a scenario, a list of either and a { scenarios } wrapper', () => {
    expect(scenariosFromJson(family).map((s) => s.id)).toEqual(['mine-00', 'mine-01', 'mine-02']);
    expect(scenariosFromJson(one)).toEqual([one]);
    expect(scenariosFromJson([one, family]).map((s) => s.id)).toEqual([
      'easy-00',
      'mine-00',
      'mine-01',
      'mine-02',
    ]);
    expect(scenariosFromJson({ scenarios: [family] })).toHaveLength(3);
  });

  it('reads an object with count, base or vary as a family, so it is told what a family misses', () => {
    const { seed: _seed, ...noSeed } = family;
    expect(error(noSeed)).toMatch(/^family "mine": seed: /);
    expect(error({ family: 'x', count: 2 })).toMatch(/family "x"/);
  });

  it('names the bad item of a list, and refuses an empty list or a wrapper without a list', () => {
    expect(error([one, { ...one, initial: { ...one.initial, altitude: -5 } }])).toMatch(
      /^item 2 of the list \(id "easy-00"\): initial\.altitude: /,
    );
    // An item without an id: its place alone.
    expect(error([one, { family: 'x', count: 2 }])).toMatch(/^item 2 of the list: family "x"/);
    expect(error([])).toContain('holds no scenario');
    expect(error({ scenarios: 'all' })).toContain('scenarios: must be a list');
    expect(error({ scenarios: [one], bogus: 1 })).toContain(
      '"bogus": unknown key beside "scenarios"',
    );
  });

  it('refuses a scenario id given twice (the same family listed twice, say)', () => {
    expect(error([family, family])).toContain('scenario id "mine-00" appears more than once');
    expect(error([one, one])).toContain('"easy-00" appears more than once');
  });

  it('says which families the file holds (scenarioInputFromJson), to draw more of them', () => {
    const read = scenarioInputFromJson([one, family]);
    expect(read.scenarios.map((s) => s.id)).toEqual(['easy-00', 'mine-00', 'mine-01', 'mine-02']);
    expect(read.families).toEqual([parseFamily(family)]);
    expect(scenarioInputFromJson(one).families).toEqual([]);
  });
});

describe('freshDraws', () => {
  it("draws past the family's count: the same ranges, ids no expansion of the file holds", () => {
    const mine = parseFamily({ ...easyJson, family: 'mine', count: 3 });
    const fresh = freshDraws(mine, 4);
    expect(fresh.map((s) => s.id)).toEqual(['mine-03', 'mine-04', 'mine-05', 'mine-06']);
    // The same draws a family of 7 makes at those indices, and different scenarios from the first.
    expect(fresh).toEqual(expandFamily({ ...mine, count: 7 }).slice(3));
    expect(fresh[0].initial).not.toEqual(expandFamily(mine)[0].initial);
    // Past the first draws: the next ones, none of them again.
    expect(freshDraws(mine, 2, 4).map((s) => s.id)).toEqual(['mine-07', 'mine-08']);
  });

  it('leaves out a draw the scenario checks refuse', () => {
    // Altitudes of -1000..1000 m: the family's own first one is valid, some later ones are not.
    const base = parseFamily({ ...easyJson, family: 'edge', count: 1 });
    const risky = {
      ...base,
      vary: { ...base.vary, 'initial.altitude': [-1000, 1000] as [number, number] },
    };
    const kept = freshDraws(risky, 40);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(40);
    expect(kept.every((s) => s.initial.altitude > 0)).toBe(true);
  });
});

describe("the repository's example family", () => {
  it('slow-engine.json reads as 120 scenarios whose engines lag 0.8-2.5 s', () => {
    const file = join(__dirname, '../../../../examples/scenarios/slow-engine.json');
    const scenarios = scenariosFromJson(JSON.parse(readFileSync(file, 'utf8')));
    expect(scenarios).toHaveLength(120);
    const lags = scenarios.map((s) => s.craft.throttleLagSeconds ?? 0);
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...lags)).toBeLessThanOrEqual(2.5);
    // drawn per scenario (rounded, so a few repeat), not one lag for all
    expect(new Set(lags).size).toBeGreaterThan(100);
  });

  it('drift-slope.json reads as 60 scenarios drifting at 8-25 m/s toward a site 200-500 m away', () => {
    const file = join(__dirname, '../../../../examples/scenarios/drift-slope.json');
    const scenarios = scenariosFromJson(JSON.parse(readFileSync(file, 'utf8')));
    expect(scenarios).toHaveLength(60);
    for (const s of scenarios) {
      expect(s.initial.vx).toBeGreaterThanOrEqual(8);
      expect(s.initial.vx).toBeLessThanOrEqual(25);
      expect(s.target.x - s.initial.x).toBeGreaterThanOrEqual(200);
      expect(s.target.x - s.initial.x).toBeLessThanOrEqual(500);
    }
  });
});
