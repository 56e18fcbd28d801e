import type { LineRange } from '@reverie/ci-log-triage';
import type { SessionEventBody } from '@reverie/contracts';
import type { CriterionKind } from '../criterion.schema';
import type { Facts } from '../fact-types';
import type { Judge } from '../judge';

/** How one criterion was graded. */
export interface CriterionGrade {
  id: string;
  kind: CriterionKind;
  weight: number;
  required: boolean;
  /** False when this criterion could not be graded here (it then counts neither way in the score). */
  gradable: boolean;
  passed: boolean;
  /** 0..1: checks score 1 or 0, label_match the metric, judge what the judge said. */
  score: number;
  /** What was observed, against what limit, at which step. */
  explanation: string;
  /** The steps the explanation points at (where to look in the session). */
  steps: number[];
}

/**
 * The criteria that were graded and did not pass. A criterion that could not be graded (a judge
 * offline, a tool criterion on a sandbox run that records only the result) is not among them: it
 * says nothing about the session either way.
 */
export function failedGraded<C extends Pick<CriterionGrade, 'gradable' | 'passed'>>(
  criteria: readonly C[],
): C[] {
  return criteria.filter((c) => c.gradable && !c.passed);
}

/** A criterion's own verdict, before its id, weight and required flag are attached. */
export type Verdict = Pick<
  CriterionGrade,
  'gradable' | 'passed' | 'score' | 'explanation' | 'steps'
>;

/** Token counts a judge spent. */
export interface JudgeUsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** What evaluators may read. */
export interface EvalContext {
  facts: Facts;
  events: readonly SessionEventBody[];
  /** The labelled error lines of a triage case, when the grader has them. */
  labels: readonly LineRange[] | null;
  judge: Judge | null;
  /** Judges add what they spent here. */
  judgeUsage: JudgeUsageTotals;
}

/** A pass/fail check: score 1 or 0. */
export const checked = (
  passed: boolean,
  explanation: string,
  steps: Array<number | null | undefined> = [],
): Verdict => ({
  gradable: true,
  passed,
  score: passed ? 1 : 0,
  explanation,
  steps: [...new Set(steps.filter((s): s is number => typeof s === 'number'))],
});

export const notGradable = (explanation: string): Verdict => ({
  gradable: false,
  passed: false,
  score: 0,
  explanation,
  steps: [],
});

/** ` (step 12)` or nothing. */
export const atStep = (step: number | null | undefined): string =>
  typeof step === 'number' ? ` (step ${step})` : '';
