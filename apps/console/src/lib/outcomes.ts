import type { CriterionResult, Outcome } from '../api/types';

/**
 * A criterion's verdict as the console shows it: `n/a` when the session's events cannot show it
 * (the grader reports such a criterion `gradable: false` with `passed: false` and score 0, which
 * mean nothing), else passed or failed.
 */
export type CriterionState = 'passed' | 'failed' | 'n/a';

export function criterionState(c: Pick<CriterionResult, 'gradable' | 'passed'>): CriterionState {
  if (c.gradable === false) return 'n/a';
  return c.passed ? 'passed' : 'failed';
}

/** A criterion's table row: red when it failed, neutral and muted when it could not be graded. */
export function criterionRowClass(c: Pick<CriterionResult, 'gradable' | 'passed'>) {
  const state = criterionState(c);
  return state === 'failed' ? 'row-failed' : state === 'n/a' ? 'row-na' : undefined;
}

/** The Passed cell: yes, no, or n/a for a criterion the session's events cannot show. */
export function criterionPassed(c: Pick<CriterionResult, 'gradable' | 'passed'>): string {
  return { passed: 'yes', failed: 'no', 'n/a': 'n/a' }[criterionState(c)];
}

/** The Score cell: a graded criterion's score, "—" for one that could not be graded. */
export function criterionScore(c: Pick<CriterionResult, 'gradable' | 'score'>): string {
  return c.gradable !== false && typeof c.score === 'number' ? c.score.toFixed(2) : '—';
}

/** A verdict's criteria counted: all, failed (graded and not passed) and not gradable. */
export function criteriaCounts(criteria: readonly Pick<CriterionResult, 'gradable' | 'passed'>[]): {
  total: number;
  failed: number;
  notGradable: number;
} {
  let failed = 0;
  let notGradable = 0;
  for (const c of criteria) {
    const state = criterionState(c);
    if (state === 'failed') failed++;
    else if (state === 'n/a') notGradable++;
  }
  return { total: criteria.length, failed, notGradable };
}

/** "4 criteria, 1 failed, 1 n/a": a folded verdict's summary line. */
export function criteriaSummary(criteria: readonly Pick<CriterionResult, 'gradable' | 'passed'>[]) {
  const { total, failed, notGradable } = criteriaCounts(criteria);
  return [
    `${total} ${total === 1 ? 'criterion' : 'criteria'}`,
    failed ? `${failed} failed` : '',
    notGradable ? `${notGradable} n/a` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** Which attempt a verdict grades: "2 of 3" (the first is 1; "of —" when the maximum is unknown). */
export function attemptLabel(o: Pick<Outcome, 'iteration' | 'maxIterations'>): string {
  const max = typeof o.maxIterations === 'number' ? String(o.maxIterations) : '—';
  return `${o.iteration ?? 1} of ${max}`;
}
