import {
  DEFAULT_SPLIT,
  loadDataset,
  RULE_ACTIONS,
  splitCases,
  toLineRules,
  TRIAGE_RULE_FEATURES,
  type TriageCase,
} from '@reverie/ci-log-triage';
import { ruleSchema, type Condition } from '@reverie/playbooks-domain';
import { toTriageEntries } from './entries';
import { scoreRuleSet, type LabelledCase } from './evaluate';
import {
  combinationAccepts,
  DEFAULT_SEARCH,
  retuned,
  searchAlternatives,
  searchTriageRules,
  type TriageCandidate,
  type TriageSearch,
} from './search';
import { CI_BREAKAGES_DIR } from '@reverie/testing';

const DATASET = CI_BREAKAGES_DIR;
const MAX_EVALUATIONS = 40;

const features = (c: Condition): string[] =>
  'all' in c
    ? c.all.flatMap(features)
    : 'any' in c
      ? c.any.flatMap(features)
      : 'not' in c
        ? features(c.not)
        : [c.feature];

describe('searchTriageRules on the bundled dataset (train split)', () => {
  let train: TriageCase[];
  let search: TriageSearch;

  beforeAll(async () => {
    train = splitCases(await loadDataset(DATASET), DEFAULT_SPLIT).train;
    search = await searchTriageRules(train, [], { maxEvaluations: MAX_EVALUATIONS });
  }, 60_000);

  it('finds at least one candidate that raises training macro F1, within the budget', () => {
    expect(search.evaluations).toBeLessThanOrEqual(MAX_EVALUATIONS);
    expect(search.candidates.length).toBeGreaterThan(0);
    expect(search.candidates[0].after).toBeGreaterThan(search.baseline);
    expect(search.final).toBeGreaterThan(search.baseline);
    const rules = search.selected.map((c) => c.rule);
    expect(scoreRuleSet(train, rules).macroF1).toBeCloseTo(search.final, 10);
  });

  it('proposes only runnable rules of the general triage rule space', () => {
    const known = new Set<string>(TRIAGE_RULE_FEATURES);
    const actions = new Set<string>(RULE_ACTIONS.map((a) => a.action));
    for (const c of search.candidates) {
      expect(toLineRules([c.rule]).skipped).toEqual([]);
      expect(features(c.rule.when).every((f) => known.has(f))).toBe(true);
      expect(actions.has(c.rule.then.action)).toBe(true);
    }
  });

  it('carries per-case evidence that accounts for the gain', () => {
    for (const c of [...search.candidates, ...search.selected]) {
      expect(c.gained.length).toBeGreaterThan(0);
      expect(c.gained.every((d) => d.delta > 0)).toBe(true);
      expect(c.lost.every((d) => d.delta < 0)).toBe(true);
      const net = [...c.gained, ...c.lost].reduce((s, d) => s + d.delta, 0) / train.length;
      expect(net).toBeCloseTo(c.after - c.before, 10);
    }
  });

  it('turns the selected rules into valid playbook entry drafts', () => {
    const drafts = toTriageEntries(search.selected);
    expect(drafts).toHaveLength(search.selected.length);
    for (const [i, d] of drafts.entries()) {
      expect(ruleSchema.safeParse(d.rule).success).toBe(true);
      expect(d.title.length).toBeLessThanOrEqual(200);
      expect(d.guidance).toMatch(/^For each line of the failed build log, when /);
      expect(d.rationale).toMatch(/^Training macro F1 \d\.\d{3} -> \d\.\d{3}/);
      expect(d.evidence.map((e) => e.caseId)).toEqual(
        [...search.selected[i].gained, ...search.selected[i].lost].map((e) => e.caseId),
      );
    }
  });

  it('lets timers run between rule-set evaluations (a service keeps its heartbeats while it searches)', async () => {
    let ticks = 0;
    let searching = true;
    const timer = setInterval(() => {
      if (searching) ticks++;
    }, 0);
    try {
      const small = await searchTriageRules(train, [], { maxEvaluations: 6 });
      searching = false;
      expect(small.evaluations).toBeLessThanOrEqual(6);
      // A search that ran start to end without yielding would see no tick at all.
      expect(ticks).toBeGreaterThanOrEqual(small.evaluations - 1);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('combinationAccepts', () => {
  const d = (delta: number, caseId = `c${delta}`) => ({
    caseId,
    before: 0.5,
    after: 0.5 + delta,
    delta,
  });
  it('takes a rule that costs no case more than maxCaseLoss', () => {
    expect(combinationAccepts([d(0.3), d(-0.02)], DEFAULT_SEARCH)).toBe(true);
  });
  it('takes one that costs a case up to the trade limit only when it gains `ratio` times more', () => {
    const gains = Array.from({ length: 9 }, (_, i) => d(0.1, `g${i}`));
    expect(combinationAccepts([...gains, d(-0.08)], DEFAULT_SEARCH)).toBe(true); // 0.9 >= 10 x 0.08
    expect(combinationAccepts([...gains, d(-0.1)], DEFAULT_SEARCH)).toBe(false); // 0.9 < 10 x 0.1
    expect(combinationAccepts([d(5), d(-0.11)], DEFAULT_SEARCH)).toBe(false); // past the limit
  });
});

describe('retuned', () => {
  it('moves each numeric threshold in turn and leaves the other tests alone', () => {
    const when: Condition = {
      all: [
        { feature: 'distanceToFreshBlock', op: 'lte', value: 8 },
        { feature: 'inPassLog', op: 'eq', value: false },
      ],
    };
    const values = retuned(when)
      .map((c) => ('all' in c ? c.all[0] : c))
      .map((t) => ('value' in t ? t.value : null));
    expect(values).toEqual([2, 4, 7, 9, 16]);
    for (const c of retuned(when))
      expect('all' in c && c.all[1]).toEqual({ feature: 'inPassLog', op: 'eq', value: false });
    expect(retuned({ feature: 'relativePosition', op: 'gte', value: 0.8 })).toEqual([
      { feature: 'relativePosition', op: 'gte', value: 0.2 },
      { feature: 'relativePosition', op: 'gte', value: 0.4 },
      { feature: 'relativePosition', op: 'gte', value: 1.6 },
    ]);
    expect(retuned({ feature: 'isMarker', op: 'eq', value: true })).toEqual([]);
  });
});

describe('searchAlternatives', () => {
  const candidate = (entryId: string, before: number, after: number): TriageCandidate => ({
    rule: {
      entryId,
      title: entryId,
      when: { feature: 'isMarker', op: 'eq', value: true },
      then: { action: 'include' },
    },
    before,
    after,
    gained: [],
    lost: [],
  });
  it('offers the combination, then it without each rule (smallest gain first), then distinct singles', () => {
    const a = candidate('a', 0.4, 0.7);
    const b = candidate('b', 0.7, 0.72);
    const c = candidate('c', 0.72, 0.8);
    const alts = searchAlternatives({
      selected: [a, b, c],
      distinct: [a, candidate('d', 0.4, 0.6)],
    });
    expect(alts.map((alt) => alt.map((x) => x.rule.entryId).join(''))).toEqual([
      'abc',
      'ac',
      'ab',
      'bc',
      'a',
      'd',
    ]);
    expect(searchAlternatives({ selected: [], distinct: [] })).toEqual([]);
  });
});

describe('searchTriageRules on a new exception whose frames pass.log also printed', () => {
  // Each build fails with an exception new to it, a message after a blank line, then frames the
  // passing build printed too under an older, known exception; all of it is labelled. The day-one
  // heuristic takes the frames (they are in the new exception's error run) but not the blank line.
  const build = (id: string, n: number): LabelledCase => {
    // Traces of different lengths, followed by lines both builds print: no context window fits all.
    const frames = Array.from(
      { length: 4 * n },
      (_, i) => `\tat org.junit.Runner.run${i}(Runner.java:${i + 10})`,
    );
    const after = ['[INFO] done', '[INFO] Results', '[INFO] Tests run: 9'];
    return {
      id,
      failLines: [
        '[INFO] start',
        `widget${n}.BrokenException: widget ${n} broke`,
        '',
        `expected ${n} parts`,
        ...frames,
        ...after,
        '[INFO] BUILD FAILURE',
      ],
      passLines: ['[INFO] start', 'known.OldException: still flaky', ...frames, ...after],
      errorRanges: [{ start: 2, end: 4 + frames.length }],
    };
  };

  it('proposes an include for what day one leaves of the new error: the blank line in it', async () => {
    const train = [build('a', 1), build('b', 2), build('c', 3)];
    const search = await searchTriageRules(train, [], { maxEvaluations: 200 });
    expect(search.baseline).toBeGreaterThan(0.9);
    expect(search.baseline).toBeLessThan(1);
    expect(search.final).toBeGreaterThan(0.99);
    const include = search.selected.find((c) => c.rule.then.action === 'include');
    const named = features(include!.rule.when);
    expect(named).toContain('isBlank');
    expect(named).not.toContain('text');
  }, 30_000);
});
