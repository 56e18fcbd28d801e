import type { PlaybookRule } from '@reverie/playbooks-domain';
import type { LabelledCase } from './evaluate';
import { validateTriageRules } from './validate';

const make = (id: string, extra: string): LabelledCase => ({
  id,
  failLines: ['[INFO] start', `BOOM: ${id} broke at 1`, extra, '[INFO] Tests FAILED'],
  // The passing run printed a `BOOM:` line of the same shape (numbers masked) and `extra`, so the
  // day-one heuristic takes only the new summary line: `BOOM:` stays missed.
  passLines: ['[INFO] start', `BOOM: ${id} broke at 9`, 'ok', '[INFO] BUILD SUCCESS'],
  errorRanges: [{ start: 2, end: 2 }],
});
// In `b` the summary line is labelled: dropping it hurts that case.
const heldOut: LabelledCase[] = [
  make('a', 'ok'),
  make('c', 'ok'),
  {
    ...make('b', 'ok'),
    errorRanges: [
      { start: 2, end: 2 },
      { start: 4, end: 4 },
    ],
  },
];
const rule = (entryId: string, r: Omit<PlaybookRule, 'entryId' | 'title'>): PlaybookRule => ({
  entryId,
  title: entryId,
  ...r,
});
const boom = rule('boom', {
  when: { feature: 'text', op: 'matches', value: '^BOOM:' },
  then: { action: 'include' },
});
const dropSummary = rule('drop-summary', {
  when: { feature: 'text', op: 'matches', value: 'Tests FAILED' },
  then: { action: 'exclude' },
});

describe('validateTriageRules', () => {
  it('promotes a rule set that improves every held-out case', () => {
    const v = validateTriageRules(heldOut, [], [boom], { margin: 0.05, tolerance: 0.05 });
    expect(v.promote).toBe(true);
    expect(v.after).toBeGreaterThan(v.before + 0.05);
    expect(v.regressions).toEqual([]);
  });

  it('refuses a rule set that gains on average but breaks one held-out case beyond the tolerance', () => {
    const v = validateTriageRules(heldOut, [boom], [dropSummary], {
      margin: 0.05,
      tolerance: 0.05,
    });
    expect(v.after).toBeGreaterThan(v.before + 0.05);
    expect(v.promote).toBe(false);
    expect(v.regressions).toEqual([expect.objectContaining({ caseId: 'b' })]);
    expect(v.regressions[0].delta).toBeLessThan(-0.05);
    expect(v.reason).toMatch(/b loses/);
  });

  it('allows the loss when the other cases gain `trade` times what it costs, not less', () => {
    // a and c gain a third each, b loses a third: twice the loss is gained.
    const at = (ratio: number, maxCaseLoss = 0.5) =>
      validateTriageRules(heldOut, [boom], [dropSummary], {
        margin: 0.05,
        tolerance: 0.05,
        trade: { ratio, maxCaseLoss },
      });
    const allowed = at(2);
    expect(allowed.promote).toBe(true);
    expect(allowed.regressions).toEqual([expect.objectContaining({ caseId: 'b' })]);
    expect(allowed.reason).toMatch(/allowed as they gain 0\.667, at least 2x that/);
    const refused = at(3);
    expect(refused.promote).toBe(false);
    expect(refused.reason).toMatch(/b loses/);
    // b loses a third: beyond a trade limit of 0.2, no gain pays for it.
    expect(at(2, 0.2).promote).toBe(false);
  });

  it('refuses a gain below the margin', () => {
    const v = validateTriageRules(heldOut, [boom], [], { margin: 0.01, tolerance: 0.05 });
    expect(v).toEqual(expect.objectContaining({ promote: false, regressions: [] }));
    expect(v.after).toBe(v.before);
  });
});
