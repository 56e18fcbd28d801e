import { evaluate, type Condition, type PlaybookRule } from '@reverie/playbooks-domain';
import { extractWithLineRules } from './builtin-extractor';
import { computeLineFeatures } from './line-features';
import { compileLineCondition, toLineRules } from './playbook-line-rules';
import type { TriageInput } from './triage-case';

const input: TriageInput = {
  failLines: [
    '[INFO] Building app',
    '[ERROR] Tests run: 3, Failures: 1',
    'Caused by: java.lang.IllegalStateException: expected 1 but was 2',
    '    at com.example.AppTest.works(AppTest.java:12)',
    '    at java.base/java.lang.Thread.run(Thread.java:833)',
    '[INFO] BUILD FAILURE',
  ],
  passLines: ['[INFO] Building app', '[INFO] BUILD SUCCESS'],
};

// The marker heuristic: these rules are written against its selection.
const MARKERS = { select: 'markers' } as const;

const rule = (entryId: string, r: Omit<PlaybookRule, 'entryId' | 'title'>): PlaybookRule => ({
  entryId,
  title: entryId,
  ...r,
});

describe('playbook rules for ci-log-triage', () => {
  it('evaluates condition trees over line features and applies the triage action', () => {
    const baseline = extractWithLineRules(input, [], MARKERS);
    const { rules, skipped } = toLineRules([
      rule('keep-frames', {
        when: {
          all: [
            { feature: 'isStackFrame', op: 'eq', value: true },
            { feature: 'distanceAfterMarker', op: 'lte', value: 3 },
          ],
        },
        then: { action: 'include' },
      }),
      rule('drop-summary', {
        when: { any: [{ feature: 'text', op: 'matches', value: 'Tests run:' }] },
        then: { action: 'exclude' },
      }),
    ]);
    expect(skipped).toEqual([]);
    const { answer, steps } = extractWithLineRules(input, rules, MARKERS);
    expect(baseline.answer).toEqual([
      { start: 2, end: 3 },
      { start: 6, end: 6 },
    ]);
    expect(answer).toEqual([{ start: 3, end: 6 }]);
    expect(steps.filter((s) => s.kind === 'rule')).toEqual([
      expect.objectContaining({ ruleId: 'keep-frames', added: [{ start: 4, end: 5 }] }),
      expect.objectContaining({ ruleId: 'drop-summary', removed: [{ start: 2, end: 2 }] }),
    ]);
  });

  it('reaches with params.lines and sees the selection so far as `selected`', () => {
    const { rules } = toLineRules([
      rule('first-and-next', {
        when: {
          all: [
            { feature: 'lineNumber', op: 'eq', value: 1 },
            { not: { feature: 'selected', op: 'eq', value: true } },
          ],
        },
        then: { action: 'include_following', params: { lines: 1 } },
      }),
    ]);
    expect(extractWithLineRules(input, rules, MARKERS).answer).toEqual([
      { start: 1, end: 3 },
      { start: 6, end: 6 },
    ]);
  });

  it('skips, with a reason, rules this environment cannot run', () => {
    const { rules, skipped } = toLineRules([
      rule('lander', {
        when: { feature: 'altitude', op: 'lt', value: 50 },
        then: { action: 'include' },
      }),
      rule('throttle', {
        when: { feature: 'isMarker', op: 'eq', value: true },
        then: { action: 'set_throttle' },
      }),
      rule('reach-on-include', {
        when: { feature: 'isMarker', op: 'eq', value: true },
        then: { action: 'include', params: { lines: 3 } },
      }),
      rule('too-far', {
        when: { feature: 'isMarker', op: 'eq', value: true },
        then: { action: 'include_following', params: { lines: 5_000 } },
      }),
    ]);
    expect(rules).toEqual([]);
    expect(skipped).toEqual([
      {
        entryId: 'lander',
        reason: expect.stringMatching(/"altitude", which ci-log-triage does not observe/),
      },
      {
        entryId: 'throttle',
        reason: expect.stringMatching(/"set_throttle" is not a ci-log-triage action/),
      },
      { entryId: 'reach-on-include', reason: 'then.params.lines does not apply to include' },
      { entryId: 'too-far', reason: expect.stringMatching(/whole number from 1 to 1000/) },
    ]);
  });
});

describe('compileLineCondition', () => {
  it("means what the playbook's evaluate means, on every line and operator", () => {
    const features = computeLineFeatures({
      failLines: ['plain', '[ERROR] x', '  at a.b(C.java:1)', '', 'BUILD FAILURE', 'tail'],
      passLines: ['plain'],
    });
    const tests: Condition[] = [
      { feature: 'text', op: 'matches', value: '^\\[ERROR\\]' },
      { feature: 'indent', op: 'gte', value: 2 },
      { feature: 'distanceAfterMarker', op: 'lte', value: 1 },
      { feature: 'distanceBeforeMarker', op: 'gt', value: 0 },
      { feature: 'distanceBeforeMarker', op: 'lt', value: 3 },
      { feature: 'fromEnd', op: 'in', value: [0, 2] },
      { feature: 'inPassLog', op: 'ne', value: true },
      { feature: 'isBlank', op: 'eq', value: true },
      { feature: 'selected', op: 'eq', value: true },
      { feature: 'lineNumber', op: 'exists' },
      {
        any: [
          { not: { feature: 'isMarker', op: 'eq', value: true } },
          { all: [{ feature: 'relativePosition', op: 'gte', value: 0.5 }] },
        ],
      },
    ];
    for (const c of tests) {
      const compiled = compileLineCondition(c);
      for (const f of features)
        for (const selected of [true, false])
          expect([JSON.stringify(c), f.lineNumber, selected, compiled(f, selected)]).toEqual([
            JSON.stringify(c),
            f.lineNumber,
            selected,
            evaluate(c, { ...f, selected }),
          ]);
    }
    // A log without markers: distances are Infinity and no comparison holds, as in evaluate.
    const none = computeLineFeatures({ failLines: ['a'], passLines: [] })[0];
    expect(
      compileLineCondition({ feature: 'distanceAfterMarker', op: 'gte', value: 0 })(none, false),
    ).toBe(false);
  });
});
