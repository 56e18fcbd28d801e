import {
  LANDER_FEATURES,
  ROLE_RULE_SPACES,
  scenarioFor,
  type RoleRules,
} from '@reverie/lunar-lander';
import { newEntrySchema, type Condition, type PlaybookRule } from '@reverie/playbooks-domain';
import { actionWords, conditionWords, toPlaybookEntries } from './entries';
import { withRules } from './flight';
import { searchRules, type SearchReport } from './search-rules';
import { validateRules } from './validate';

const features = (c: Condition): string[] =>
  'all' in c
    ? c.all.flatMap(features)
    : 'any' in c
      ? c.any.flatMap(features)
      : 'not' in c
        ? features(c.not)
        : [c.feature];

const train = [
  scenarioFor('boulder-field', 1),
  scenarioFor('downrange', 17),
  scenarioFor('easy', 0),
  scenarioFor('boulder-field', 0),
];

describe('searchRules', () => {
  let report: SearchReport;
  beforeAll(async () => {
    report = await searchRules(train, {}, { maxSimulations: 80 });
  }, 60_000);

  it('finds a rule that lands more training scenarios, within the budget', () => {
    expect(report.simulations).toBeLessThanOrEqual(80);
    expect(report.baseline.safe).toBe(2);
    expect(report.candidates.length).toBeGreaterThan(0);
    const best = report.candidates[0];
    expect(best.score.safe).toBeGreaterThan(report.baseline.safe);
    expect(best.fixed.length).toBeGreaterThan(0);
    expect(best.score.safe).toBe(report.baseline.safe + best.fixed.length - best.broke.length);
  });

  it('uses only features, parameters and actions of the general spaces', () => {
    for (const cand of report.candidates)
      for (const { role, rule } of cand.rules) {
        for (const f of features(rule.when)) expect(Object.keys(LANDER_FEATURES)).toContain(f);
        const space = ROLE_RULE_SPACES[role];
        if (rule.then.action === 'set')
          for (const p of Object.keys(rule.then.params ?? {}))
            expect(Object.keys(space.params)).toContain(p);
        else expect(Object.keys(space.actions)).toContain(rule.then.action);
      }
  });

  it('drafts playbook entries a model can read, valid as add deltas', () => {
    const drafts = toPlaybookEntries(report.candidates);
    expect(drafts.length).toBeGreaterThan(0);
    for (const d of drafts) {
      const { role: _role, ...entry } = d;
      expect(() => newEntrySchema.parse(entry)).not.toThrow();
      expect(d.guidance).toMatch(/^When .+, (set|have) the (Detector|Commander|Navigator)/);
      expect(d.rationale).toMatch(/training scenarios.*safe/);
    }
    const first = drafts[0];
    const fixed = report.candidates[0].fixed;
    expect(first.evidence.map((e) => e.sessionId)).toEqual(expect.arrayContaining(fixed));
  });
});

describe('entry wording', () => {
  it('describes a rule in words with the day-one value', () => {
    const when: Condition = {
      all: [
        { feature: 'altitude', op: 'lt', value: 40 },
        { feature: 'phase', op: 'eq', value: 'braking' },
      ],
    };
    expect(conditionWords(when)).toBe('altitude below 40 m and in the braking phase');
    expect(actionWords('navigator', { action: 'set', params: { descentRateGain: 0.05 } })).toBe(
      "set the Navigator's descentRateGain to 0.05 (day-one 0.1)",
    );
    expect(actionWords('navigator', { action: 'set_throttle', params: { throttle: 1 } })).toBe(
      'have the Navigator set throttle (throttle 1)',
    );
  });
});

describe('validateRules', () => {
  const rule = (entryId: string, when: Condition, then: PlaybookRule['then']): PlaybookRule => ({
    entryId,
    title: entryId,
    when,
    then,
  });

  it('promotes a candidate that lands more held-out scenarios without regressions', async () => {
    // Found by localiseFailure on boulder-field-01: hold the craft upright from step 51 on.
    const helps = rule(
      'upright',
      { feature: 'step', op: 'gte', value: 51 },
      { action: 'set_pitch', params: { pitchDeg: 0 } },
    );
    const heldOut = [scenarioFor('boulder-field', 1), scenarioFor('easy', 0)];
    const v = await validateRules(
      heldOut,
      {},
      withRules({}, [{ role: 'navigator', rule: helps }]),
      {
        margin: 1,
        tolerance: 0,
      },
    );
    expect(v.promote).toBe(true);
    expect(v.improvements).toEqual(['boulder-field-01']);
    expect(v.regressions).toEqual([]);
    expect(v.candidate.safe).toBe(v.current.safe + 1);
    expect(v.candidate.meanFuelOverLimit).toBeGreaterThan(1);
  });

  it('refuses a candidate whose regressions exceed the tolerance, whatever the margin', async () => {
    const breaks = rule(
      'give-up',
      { feature: 'altitude', op: 'lt', value: 100 },
      { action: 'abort' },
    );
    const heldOut = [scenarioFor('easy', 0), scenarioFor('easy', 1), scenarioFor('easy', 2)];
    const candidate: RoleRules = withRules({}, [{ role: 'commander', rule: breaks }]);
    const v = await validateRules(heldOut, {}, candidate, { margin: -3, tolerance: 1 });
    expect(v.promote).toBe(false);
    expect(v.regressions).toEqual(['easy-00', 'easy-01', 'easy-02']);
    expect(v.reason).toMatch(/3 regression\(s\) exceed the tolerance of 1/);
    expect(v.current.safeRate).toBe(1);
    expect(v.candidate.safeRate).toBe(0);
  });
});
