import { extractWithLineRules, scoreAnswer, toLineRules } from '@reverie/ci-log-triage';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { RuleSetScorer, type LabelledCase } from './evaluate';

const build = (id: string, n: number): LabelledCase => ({
  id,
  failLines: [
    '[INFO] start',
    `BOOM: widget ${n} broke`,
    '\tat a.b.C.m(C.java:12)',
    '\tat a.b.C.n(C.java:13)',
    '[ERROR] Tests run: 3, Failures: 1',
    '[INFO] BUILD FAILURE',
  ],
  // The passing run printed a `BOOM:` line of the same shape and the same frames: the day-one
  // heuristic takes only the new `[ERROR]` line, and the rules below each change that.
  passLines: [
    '[INFO] start',
    'BOOM: widget 9 broke',
    '\tat a.b.C.m(C.java:12)',
    '\tat a.b.C.n(C.java:13)',
    '[INFO] BUILD SUCCESS',
  ],
  errorRanges: [{ start: 2, end: 5 }],
});
const cases = [build('a', 1), build('b', 2)];
const rule = (entryId: string, r: Omit<PlaybookRule, 'entryId' | 'title'>): PlaybookRule => ({
  entryId,
  title: entryId,
  ...r,
});
const rules = [
  rule('boom', {
    when: { feature: 'text', op: 'matches', value: '^BOOM:' },
    then: { action: 'include' },
  }),
  rule('frames', {
    when: { feature: 'isStackFrame', op: 'eq', value: true },
    then: { action: 'include' },
  }),
  rule('no-summary', {
    when: { feature: 'text', op: 'matches', value: 'Tests run:' },
    then: { action: 'exclude' },
  }),
  rule('after', {
    when: { feature: 'text', op: 'matches', value: '^BOOM:' },
    then: { action: 'include_following', params: { lines: 2 } },
  }),
];

/** The reference: the extractor run from scratch, scored by scoreAnswer. */
const reference = (set: PlaybookRule[]) =>
  cases.map(
    (c) => scoreAnswer(extractWithLineRules(c, toLineRules(set).rules).answer, c.errorRanges).f1,
  );

describe('RuleSetScorer', () => {
  it('scores every prefix and sibling set as the extractor run from scratch does', () => {
    const scorer = new RuleSetScorer(cases);
    const sets = [
      [],
      [rules[0]],
      [rules[0], rules[1]],
      [rules[0], rules[2]],
      [rules[0], rules[1], rules[2]],
      [rules[3]],
      [rules[0], rules[1]],
      [rules[1], rules[0]],
      [rules[0], rules[1], rules[2], rules[3]],
    ];
    const seen = new Set<string>();
    for (const set of sets) {
      const got = scorer.score(set);
      expect([...got.perCase.values()]).toEqual(reference(set));
      seen.add(got.macroF1.toFixed(6));
    }
    // The sets differ in what they select: the check is not passing on one constant score.
    expect(seen.size).toBeGreaterThan(3);
  });

  it('does not let a caller change the remembered selections', () => {
    const scorer = new RuleSetScorer(cases);
    scorer.selections([rules[0]])[0].clear();
    expect([...scorer.score([rules[0]]).perCase.values()]).toEqual(reference([rules[0]]));
  });

  it('refuses a rule the environment cannot run, naming it', () => {
    const bad = rule('bad', {
      when: { feature: 'altitude', op: 'lt', value: 3 },
      then: { action: 'include' },
    });
    expect(() => new RuleSetScorer(cases).score([bad])).toThrow(
      /rule bad cannot run on ci-log-triage/,
    );
  });
});
