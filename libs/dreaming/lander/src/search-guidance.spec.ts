import { expandFamily } from '@reverie/lunar-lander';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { withRules } from './flight';
import {
  baseGenome,
  genomeRules,
  GUIDANCE_SPACE,
  keyOf,
  normalise,
  valueOf,
} from './guidance-space';
import { toGuidanceEntries } from './guidance-entries';
import { takeInTurnByFamily } from './split';
import { dominates, rubricJudge, scoreObjective } from '@reverie/lunar-lander';
import type { Scenario } from '@reverie/lunar-lander';
import {
  failureKind,
  frontToTry,
  guidanceSearchSet,
  MIN_SEARCH_SET,
  MIN_SCOPE_GAIN,
  losesNoFamily,
  outOfReachNote,
  scopeToStart,
  searchGuidance,
  type GuidanceCandidate,
} from './search-guidance';

describe('the guidance space', () => {
  it('turns a genome into one readable parameter set per role and scope', () => {
    const rules = genomeRules({
      'navigator.all.guidanceLaw': 1,
      'navigator.all.brakingAccelFraction': 0.9,
      'navigator.terminal.minDescentRate': 2,
      'commander.all.retargetMaxDistance': 200, // the day-one value: no change, no entry
    });
    expect(rules.map((r) => [r.role, r.scope])).toEqual([
      ['navigator', 'all'],
      ['navigator', 'terminal'],
    ]);
    expect(rules[0].rule.then).toEqual({
      action: 'set',
      params: { guidanceLaw: 1, brakingAccelFraction: 0.9 },
    });
    expect(rules[1].rule.when).toEqual({ feature: 'phase', op: 'eq', value: 'terminal' });
    const law = GUIDANCE_SPACE.find((p) => keyOf(p) === 'navigator.all.guidanceLaw')!;
    expect(normalise(law, 0.7)).toBe(1);
  });

  it('reads what earlier dreams promoted as the base a later dream moves from', () => {
    const promoted = genomeRules({
      'navigator.all.guidanceLaw': 1,
      'navigator.all.flareAltitude': 40,
      'navigator.terminal.maxTerminalSpeed': 3,
    }).map(({ role, rule }) => ({ role, rule }));
    const scoped = {
      ...promoted[0].rule,
      when: { all: [promoted[0].rule.when, { feature: 'start_altitude', op: 'lt', value: 900 }] },
      then: { action: 'set', params: { flareAltitude: 10, maxTiltDeg: 60 } },
    } as PlaybookRule;
    const later = { ...promoted[0].rule, then: { action: 'set', params: { flareAltitude: 45 } } };
    // Stored entries may come back with their condition's keys in another order.
    const stored = { ...promoted[0].rule, when: { value: 0, op: 'gte', feature: 'step' } };
    const current = withRules({}, [
      { role: 'navigator', rule: stored as PlaybookRule },
      ...promoted.slice(1),
      { role: 'navigator', rule: scoped },
      { role: 'navigator', rule: later },
    ]);
    const base = baseGenome(current);
    // The later unscoped set wins; a set held to some approaches is not every flight's value.
    expect(base).toEqual({
      'navigator.all.guidanceLaw': 1,
      'navigator.all.flareAltitude': 45,
      'navigator.terminal.maxTerminalSpeed': 3,
    });
    const flare = GUIDANCE_SPACE.find((p) => keyOf(p) === 'navigator.all.flareAltitude')!;
    expect(valueOf({}, flare, base)).toBe(45);
    expect(valueOf({ [keyOf(flare)]: 30 }, flare, base)).toBe(30);
    // Against that base: the promoted value needs no new rule, day one's value does.
    const rules = genomeRules(
      { 'navigator.all.flareAltitude': 45, 'navigator.all.guidanceLaw': 0 },
      base,
    );
    expect(rules.map((r) => r.rule.then.params)).toEqual([{ guidanceLaw: 0 }]);
    expect(genomeRules({ 'navigator.all.flareAltitude': 45 }, base)).toEqual([]);
  });

  it("words a later dream's law with the values the current rules already fly", () => {
    const base = { 'navigator.all.flareAltitude': 40 };
    const genome = { 'navigator.all.guidanceLaw': 1 };
    const score = { satisfied: 0, flights: 0, medianFuelOverLimit: null, meanDistance: null };
    const none = { satisfied: [], score } as unknown as GuidanceCandidate;
    const cand = { ...none, genome, rules: genomeRules(genome, base) };
    expect(toGuidanceEntries(cand, none, [], base)[0].guidance).toMatch(/by 40 m/);
    // Without the base, it would name day one's flare, which the crew no longer flies.
    expect(toGuidanceEntries(cand, none, [])[0].guidance).not.toMatch(/by 40 m/);
  });
});

describe('how many training scenarios the search flies, and which', () => {
  const item = (family: string, i: number) => ({ id: `${family}-${i}`, family });
  const many = [
    ...Array.from({ length: 200 }, (_, i) => item('a', i)),
    ...Array.from({ length: 150 }, (_, i) => item('b', i)),
    ...Array.from({ length: 3 }, (_, i) => item('c', i)),
  ];

  it('takes capped items in turn from each family, so none is left out; all of them under the cap', () => {
    const taken = takeInTurnByFamily(many, 10);
    expect(taken.map((x) => x.id)).toEqual([
      'a-0',
      'b-0',
      'c-0',
      'a-1',
      'b-1',
      'c-1',
      'a-2',
      'b-2',
      'c-2',
      'a-3',
    ]);
    // a small family runs out and the others go on taking turns
    expect(
      takeInTurnByFamily(many, 12)
        .map((x) => x.id)
        .slice(9),
    ).toEqual(['a-3', 'b-3', 'a-4']);
    expect(takeInTurnByFamily(many.slice(0, 5), 10)).toEqual(many.slice(0, 5));
  });

  it('flies the whole training split up to MIN_SEARCH_SET or a sixteenth of the budget', () => {
    const scenarios = many as unknown as Scenario[];
    expect(guidanceSearchSet(scenarios.slice(0, 120), 2_000)).toHaveLength(120);
    const capped = guidanceSearchSet(scenarios, 2_000);
    expect(capped).toHaveLength(MIN_SEARCH_SET);
    expect(new Set(capped.map((s) => s.family))).toEqual(new Set(['a', 'b', 'c']));
    expect(guidanceSearchSet(scenarios, 4_800)).toHaveLength(300);
  });
});

describe('the objective', () => {
  it('judges safety, distance to the site and fuel, and ranks by dominance', () => {
    const judge = rubricJudge({ maxDistanceToSite: 50, maxFuelOverLimit: 2 });
    const land = (distance: number, fuelUsed: number, verticalSpeed = 1) =>
      ({
        safe: true,
        fuelUsed,
        fuelLimit: 100,
        touchdown: {
          distanceToTarget: distance,
          verticalSpeed,
          verdict: 'safe',
          violations: [],
        },
      }) as never;
    expect(judge(land(10, 150))).toEqual({ satisfied: true, failed: [] });
    expect(judge(land(900, 150)).failed).toEqual(['near-site']);
    expect(judge(land(10, 250)).failed).toEqual(['frugal']);
    const a = scoreObjective([land(10, 120), land(5, 130)], judge);
    const b = scoreObjective([land(10, 180), land(5, 190)], judge);
    expect(dominates(a, b)).toBe(true);
    expect(dominates(b, a)).toBe(false);
    // Touching down faster within the gear's limit does not cost a leaner landing its dominance...
    const leanFirm = scoreObjective([land(10, 105, 2.4), land(5, 110, 2.4)], judge);
    expect(dominates(leanFirm, b)).toBe(true);
    // ...but it still ranks failures: with nothing satisfied, the softer touchdown is closer.
    const crash = (speed: number) =>
      ({ ...(land(10, 300, speed) as object), safe: false }) as never;
    expect(dominates(scoreObjective([crash(5)], judge), scoreObjective([crash(12)], judge))).toBe(
      true,
    );
    expect(failureKind(land(900, 150), ['near-site'])).toBe('distance');
  });
});

describe("the operator's family tolerance in the search", () => {
  // Family a: ten training scenarios, none satisfied today; family z: three, all satisfied.
  const train = [
    ...Array.from({ length: 10 }, (_, i) => ({ id: `a-${i}`, family: 'a' })),
    ...Array.from({ length: 3 }, (_, i) => ({ id: `z-${i}`, family: 'z' })),
  ] as unknown as Scenario[];
  const cand = (name: string, a: number, z: number, fuel: number): GuidanceCandidate => {
    const satisfied = train.map((s, i) => (s.family === 'a' ? i < a : i - 10 < z));
    return {
      genome: { [name]: 1 },
      rules: [],
      satisfied,
      results: [],
      score: {
        flights: train.length,
        satisfied: a + z,
        safe: a + z,
        medianFuelOverLimit: fuel,
        meanDistance: 5,
        medianFuelOverLimitSafe: fuel,
        meanTouchdownSpeed: 1,
      },
    };
  };
  const baseline = cand('baseline', 0, 3, 1.9);
  const greedy = cand('greedy', 10, 1, 1.5); // wins all of a, loses two of z's three
  const keeper = cand('keeper', 6, 3, 1.6); // wins less, keeps z: dominated by greedy overall

  it('tells a candidate that loses a family beyond the tolerance (or one flight of noise)', () => {
    expect(losesNoFamily(keeper, baseline, train, 0)).toBe(true);
    expect(losesNoFamily(greedy, baseline, train, 0)).toBe(false);
    expect(losesNoFamily(cand('one', 10, 2, 1.5), baseline, train, 0)).toBe(true);
    expect(losesNoFamily(greedy, baseline, train, 2)).toBe(true);
  });

  it('tries the candidates that keep every family first, from the whole archive, only when asked', () => {
    const archive = [baseline, greedy, keeper];
    const front = [greedy]; // keeper is dominated: fewer satisfied, more fuel
    expect(frontToTry(archive, front, baseline, train, undefined)).toEqual([greedy]);
    expect(frontToTry(archive, front, baseline, train, 0)).toEqual([keeper, greedy]);
    expect(frontToTry(archive, front, baseline, train, 2)[0]).toBe(greedy);
    // One family: the tolerance changes nothing.
    const one = train.map((s) => ({ ...s, family: 'a' })) as unknown as Scenario[];
    expect(frontToTry(archive, front, baseline, one, 0)).toEqual([greedy]);
  });
});

describe('scopeToStart (guidance held to the approaches where it helps)', () => {
  const judge = rubricJudge({ maxDistanceToSite: 50, maxFuelOverLimit: 2 });
  const altitudes = [1000, 1100, 1200, 3000, 3100, 3200];
  const start = (altitude: number) => ({
    start_altitude: altitude,
    start_vx: 0,
    start_vz: -20,
    start_speed: 20,
    start_site_distance: 0,
    start_abs_site_distance: 0,
    start_fuel: 800,
    start_mass: 2000,
  });
  const flight = (altitude: number, satisfied: boolean) =>
    ({
      safe: satisfied,
      fuelUsed: 150,
      fuelLimit: 100,
      touchdown: { distanceToTarget: 5, verticalSpeed: 1, verdict: 'safe', violations: [] },
      start: start(altitude),
    }) as never;
  const cand = (name: string, ok: (altitude: number) => boolean): GuidanceCandidate => {
    const results = altitudes.map((a) => flight(a, ok(a)));
    return {
      genome: { [name]: 1 },
      rules: name === 'baseline' ? [] : genomeRules({ 'navigator.all.guidanceLaw': 1 }),
      satisfied: results.map((r) => judge(r).satisfied),
      results,
      score: scoreObjective(results, judge),
    };
  };
  // Today the high approaches land and the low ones do not; the candidate the other way round.
  const baseline = cand('baseline', (a) => a > 2000);
  const low = cand('low', (a) => a < 2000);

  it('finds the start threshold that keeps the gains and leaves the rest as they flew', () => {
    const scoped = scopeToStart(low, baseline, judge);
    expect(scoped?.startScope).toEqual({ feature: 'start_altitude', op: 'lt', value: 2100 });
    expect(scoped?.score.satisfied).toBe(6);
    expect(scoped?.results.slice(0, 3)).toEqual(low.results.slice(0, 3));
    expect(scoped?.results.slice(3)).toEqual(baseline.results.slice(3));
    expect(scoped?.rules[0].rule.when).toEqual({
      all: [
        { feature: 'step', op: 'gte', value: 0 },
        { feature: 'start_altitude', op: 'lt', value: 2100 },
      ],
    });
    expect(
      toGuidanceEntries(scoped as GuidanceCandidate, baseline, altitudes.map(String))[0].guidance,
    ).toMatch(/only when the altitude at the start below 2100 m/);
  });

  it(`scopes nothing that gains fewer than ${MIN_SCOPE_GAIN} landings, or without the flights' start`, () => {
    // Helps one low approach and costs one high one: a scope would gain one landing.
    const small = cand('small', (a) => a === 1000 || a > 3000);
    expect(scopeToStart(small, baseline, judge)).toBeNull();
    const blind = {
      ...baseline,
      results: baseline.results.map((r) => ({ ...(r as object), start: undefined }) as never),
    };
    expect(scopeToStart(low, blind, judge)).toBeNull();
  });
});

describe('searchGuidance', () => {
  it('finds guidance that lands tight-fuel scenarios the day-one team cannot, within its budget', async () => {
    const train = expandFamily('tight-fuel').slice(0, 4);
    const report = await searchGuidance(train, {}, { maxSimulations: 360, minibatch: 2, batch: 4 });
    expect(report.simulations).toBeLessThanOrEqual(360);
    expect(report.baseline.score.satisfied).toBe(0);
    // Every flight counted once; some satisfied, so the objective is within reach.
    expect(report.reach.flights).toBe(report.simulations);
    expect(report.reach.satisfied).toBeGreaterThan(0);
    expect(outOfReachNote(report.reach)).toBeNull();
    const best = report.front[0];
    expect(best.score.satisfied).toBeGreaterThan(0);
    expect(best.rules.length).toBeGreaterThan(0);
    const entries = toGuidanceEntries(
      best,
      report.baseline,
      train.map((s) => s.id),
    );
    expect(entries[0].guidance).toMatch(/day-one/);
    expect(entries[0].rationale).toContain(`against 0/4 satisfied`);
    expect(
      entries
        .flatMap((e) => e.evidence)
        .some((e) => e.note?.includes('satisfied with this guidance')),
    ).toBe(true);
  }, 600_000);

  it('says which criterion keeps every flight from the objective when none satisfies it', async () => {
    // No landing burns less than half the fuel-optimal vertical descent: "frugal" is out of reach.
    const train = expandFamily('easy').slice(0, 2);
    const judge = rubricJudge({ maxDistanceToSite: 50, maxFuelOverLimit: 0.5 });
    const report = await searchGuidance(
      train,
      {},
      { maxSimulations: 20, minibatch: 2, batch: 2, judge },
    );
    expect(report.reach.satisfied).toBe(0);
    expect(report.reach.flights).toBe(report.simulations);
    expect(report.reach.onlyFailed.frugal).toBeGreaterThan(0);
    expect(outOfReachNote(report.reach)).toBe(
      `out of reach: none of the guidance search's ${report.simulations} flight(s) satisfied the outcome definition; ${report.reach.onlyFailed.frugal} met every criterion but "frugal": the definition may ask for more than these scenarios allow (an operator's outcome definition sets its own bound)`,
    );
  }, 120_000);
});

describe('outOfReachNote', () => {
  it('names the criterion most flights missed alone, and says so when none came that close', () => {
    expect(outOfReachNote({ flights: 10, satisfied: 1, onlyFailed: { frugal: 9 } })).toBeNull();
    expect(outOfReachNote({ flights: 0, satisfied: 0, onlyFailed: {} })).toBeNull();
    expect(
      outOfReachNote({ flights: 10, satisfied: 0, onlyFailed: { 'near-site': 2, frugal: 5 } }),
    ).toMatch(/; 5 met every criterion but "frugal"/);
    expect(outOfReachNote({ flights: 10, satisfied: 0, onlyFailed: {} })).toBe(
      "out of reach: none of the guidance search's 10 flight(s) satisfied the outcome definition, and none missed it by one criterion alone",
    );
  });
});
