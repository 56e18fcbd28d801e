import { expandFamily } from '@reverie/lunar-lander';
import { genomeRules, GUIDANCE_SPACE, keyOf, normalise } from './guidance-space';
import { toGuidanceEntries } from './guidance-entries';
import { dominates, rubricJudge, scoreObjective } from '@reverie/lunar-lander';
import { failureKind, searchGuidance } from './search-guidance';

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

describe('searchGuidance', () => {
  it('finds guidance that lands tight-fuel scenarios the day-one team cannot, within its budget', async () => {
    const train = expandFamily('tight-fuel').slice(0, 4);
    const report = await searchGuidance(train, {}, { maxSimulations: 360, minibatch: 2, batch: 4 });
    expect(report.simulations).toBeLessThanOrEqual(360);
    expect(report.baseline.score.satisfied).toBe(0);
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
});
