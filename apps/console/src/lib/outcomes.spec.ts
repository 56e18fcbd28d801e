import {
  attemptLabel,
  criteriaCounts,
  criteriaSummary,
  criterionPassed,
  criterionRowClass,
  criterionScore,
  criterionState,
} from './outcomes';

// A triage verdict as the grader stores it: `explains-in-words` could not be graded (no judge),
// so it carries gradable: false with the placeholders passed: false and score 0.
const triage = [
  { id: 'finds-error-lines', gradable: true, passed: true, score: 1 },
  { id: 'precise', gradable: true, passed: true, score: 1 },
  { id: 'explains-in-words', gradable: false, passed: false, score: 0 },
  { id: 'within-steps', gradable: true, passed: true, score: 1 },
];

describe('criterionState', () => {
  it('reads an ungradable criterion as n/a, not as failed', () => {
    expect(criterionState({ gradable: false, passed: false })).toBe('n/a');
    expect(criterionState({ gradable: true, passed: false })).toBe('failed');
    expect(criterionState({ gradable: true, passed: true })).toBe('passed');
    // Older verdicts have no `gradable`: graded.
    expect(criterionState({ passed: false })).toBe('failed');
    expect(criterionState({ passed: true })).toBe('passed');
  });
});

describe('a criterion row', () => {
  it('shows an ungradable criterion as n/a in a neutral row, without its placeholder score', () => {
    const na = triage[2];
    expect(criterionRowClass(na)).toBe('row-na');
    expect(criterionPassed(na)).toBe('n/a');
    expect(criterionScore(na)).toBe('—');
  });

  it('shows a failed criterion in red with its score, a passed one plainly', () => {
    expect(criterionRowClass({ gradable: true, passed: false })).toBe('row-failed');
    expect(criterionPassed({ gradable: true, passed: false })).toBe('no');
    expect(criterionScore({ gradable: true, score: 0.333 })).toBe('0.33');
    expect(criterionRowClass(triage[0])).toBeUndefined();
    expect(criterionPassed(triage[0])).toBe('yes');
    expect(criterionScore(triage[0])).toBe('1.00');
  });
});

describe('criteriaCounts / criteriaSummary', () => {
  it('does not count an ungradable criterion as failed', () => {
    expect(criteriaCounts(triage)).toEqual({ total: 4, failed: 0, notGradable: 1 });
    expect(criteriaSummary(triage)).toBe('4 criteria, 1 n/a');
  });

  it('counts graded criteria that did not pass', () => {
    const lunar = [
      { gradable: true, passed: false },
      { gradable: true, passed: true },
      { gradable: false, passed: false },
      { passed: false },
    ];
    expect(criteriaCounts(lunar)).toEqual({ total: 4, failed: 2, notGradable: 1 });
    expect(criteriaSummary(lunar)).toBe('4 criteria, 2 failed, 1 n/a');
    expect(criteriaSummary([{ gradable: true, passed: true }])).toBe('1 criterion');
    expect(criteriaSummary([])).toBe('0 criteria');
  });
});

describe('attemptLabel', () => {
  it('names the attempt and the most there can be', () => {
    expect(attemptLabel({ iteration: 2, maxIterations: 3 })).toBe('2 of 3');
    expect(attemptLabel({ iteration: 1, maxIterations: 3 })).toBe('1 of 3');
    expect(attemptLabel({})).toBe('1 of —');
  });
});
