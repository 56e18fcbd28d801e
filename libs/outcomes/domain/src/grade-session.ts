import type { LineRange } from '@reverie/ci-log-triage';
import type { SessionEventBody } from '@reverie/contracts';
import type { Criterion } from './criterion.schema';
import {
  notGradable,
  type CriterionGrade,
  type EvalContext,
  type JudgeUsageTotals,
  type Verdict,
} from './evaluators/evaluation';
import { evaluateJudge } from './evaluators/judge-criterion';
import { evaluateLabelMatch } from './evaluators/label-match';
import { evaluateStepLimit, evaluateTokenBudget, evaluateTool } from './evaluators/session-checks';
import { evaluateAnswerPath, evaluateAnswerRegex, evaluateBound } from './evaluators/value-checks';
import type { SessionInfo } from './fact-types';
import { summarizeGrade, type GradeResult } from './grade-summary';
import type { Judge } from './judge';
import type { OutcomeDefinition } from './outcome-definition.schema';
import { sessionFacts } from './session-facts';
import { automaticSignals, type SessionSignal } from './signals';

export interface GradeSessionInput {
  definition: OutcomeDefinition;
  /** The version of the definition graded against (recorded in the grade). */
  definitionVersion: number;
  /** The session's events in stored order. */
  events: readonly SessionEventBody[];
  session: SessionInfo;
  /** Which attempt this session is (1 for the first). */
  iteration: number;
  /** A triage case's labelled error lines, for `label_match`. */
  labels?: readonly LineRange[] | null;
  /** Scores `judge` criteria; null or offline: they are not gradable. */
  judge?: Judge | null;
  /**
   * Criteria (by id) the events cannot show, with why: graded not gradable, whatever the events
   * say (a dream's sandbox run that records only the environment's result has no tool calls or
   * steps to count).
   */
  ungradable?: ReadonlyMap<string, string>;
}

/** The verdict on one session against one outcome definition. */
export interface Grade {
  result: GradeResult;
  /** Weighted mean of the gradable criteria's scores, 0..1 (0 when none is gradable). */
  score: number;
  iteration: number;
  definitionVersion: number;
  criteria: CriterionGrade[];
  /** Ids of criteria that failed, and of required ones that could not be graded. */
  failedCriteria: string[];
  summary: string;
  /** Tokens the judge spent over all judge criteria. */
  judgeUsage: JudgeUsageTotals;
  /** What the events show besides the criteria: unrecovered tool errors, errors, user corrections. */
  signals: SessionSignal[];
}

async function evaluate(c: Criterion, ctx: EvalContext): Promise<Verdict> {
  switch (c.kind) {
    case 'bound':
      return evaluateBound(c, ctx.facts);
    case 'answer_path':
      return evaluateAnswerPath(c, ctx.facts);
    case 'answer_regex':
      return evaluateAnswerRegex(c, ctx.facts);
    case 'tool':
      return evaluateTool(c, ctx.facts);
    case 'step_limit':
      return evaluateStepLimit(c, ctx.facts);
    case 'token_budget':
      return evaluateTokenBudget(c, ctx.facts);
    case 'label_match':
      return evaluateLabelMatch(c, ctx);
    case 'judge':
      return evaluateJudge(c, ctx);
  }
}

/** Limits of the `outcome.evaluated` contract the grade is published in. */
export const GRADE_LIMITS = {
  explanation: 4_000,
  steps: 100,
  summary: 20_000,
  signals: 200,
} as const;

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * The events of one attempt. A session the grader sent back runs again in the same session, and
 * its events carry `iteration` (none stored means attempt 1). When no event carries one, every
 * event belongs to the attempt being graded.
 */
export function eventsOfIteration(
  events: readonly SessionEventBody[],
  iteration: number,
): readonly SessionEventBody[] {
  if (!events.some((e) => e.iteration !== undefined)) return events;
  return events.filter((e) => (e.iteration ?? 1) === iteration);
}

/** The last error event's message, for explaining why a session failed. */
function lastError(events: readonly SessionEventBody[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'error') return e.code ? `${e.code}: ${e.message}` : e.message;
  }
  return null;
}

/**
 * Grades one session against an outcome definition. Each criterion gets a score (checks 1 or 0,
 * `label_match` the metric, `judge` the judge's score) and an explanation naming the observed
 * value, the limit and the step. The result:
 * - `failed` when the session ended failed or canceled (judges are then not called), when it is
 *   of another environment than the definition's, or when a required criterion is not gradable;
 * - else `satisfied` when every required criterion passed and the score reaches `passingScore`;
 * - else `needs_revision` while `iteration < maxIterations`, then `max_iterations_reached`.
 * Only the events of attempt `iteration` are graded (see `eventsOfIteration`). Explanations,
 * steps, summary and signals are clipped to GRADE_LIMITS (the `outcome.evaluated` contract's).
 * A judge that throws makes this throw (retry the grading rather than record a wrong verdict).
 */
export async function gradeSession(input: GradeSessionInput): Promise<Grade> {
  const { definition, session, iteration } = input;
  const events = eventsOfIteration(input.events, iteration);
  const environment = session.environment ?? definition.environment;
  const facts = sessionFacts(events, { ...session, environment });
  const ended = session.status === 'failed' || session.status === 'canceled';
  const ctx: EvalContext = {
    facts,
    events,
    labels: input.labels ?? null,
    judge: input.judge ?? null,
    judgeUsage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  };

  const criteria: CriterionGrade[] = [];
  for (const c of definition.criteria) {
    const cannot = input.ungradable?.get(c.id);
    const verdict =
      cannot !== undefined
        ? notGradable(cannot)
        : ended && c.kind === 'judge'
          ? notGradable(`not judged: the session ended ${session.status}`)
          : await evaluate(c, ctx);
    criteria.push({
      id: c.id,
      kind: c.kind,
      weight: c.weight,
      required: c.required,
      ...verdict,
      explanation: clip(verdict.explanation, GRADE_LIMITS.explanation),
      steps: verdict.steps.slice(0, GRADE_LIMITS.steps),
    });
  }

  const graded = criteria.filter((c) => c.gradable);
  const weight = graded.reduce((sum, c) => sum + c.weight, 0);
  const raw = weight ? graded.reduce((sum, c) => sum + c.weight * c.score, 0) / weight : 0;
  const score = Math.round(raw * 1e6) / 1e6;
  const ungradedRequired = criteria.filter((c) => c.required && !c.gradable);

  let failure: string | null = null;
  if (ended)
    failure = `the session ended ${session.status}: ${session.reason ?? lastError(events) ?? 'no reason was recorded'}`;
  else if (
    definition.environment &&
    session.environment &&
    definition.environment !== facts.environment
  )
    failure = `this outcome grades ${definition.environment} sessions, and this session is ${facts.environment}`;
  else if (ungradedRequired.length)
    failure = ungradedRequired
      .map((c) => `required criterion ${c.id} could not be graded (${c.explanation})`)
      .join('; ');

  const requiredPassed = criteria.every((c) => !c.required || c.passed);
  const result: GradeResult = failure
    ? 'failed'
    : requiredPassed && score >= definition.passingScore
      ? 'satisfied'
      : iteration < definition.maxIterations
        ? 'needs_revision'
        : 'max_iterations_reached';

  const signals = automaticSignals(events).slice(0, GRADE_LIMITS.signals);
  return {
    result,
    score,
    iteration,
    definitionVersion: input.definitionVersion,
    criteria,
    failedCriteria: criteria.filter((c) => (c.gradable ? !c.passed : c.required)).map((c) => c.id),
    summary: clip(
      summarizeGrade({
        result,
        failure,
        score,
        passingScore: definition.passingScore,
        iteration,
        maxIterations: definition.maxIterations,
        criteria,
        signals,
      }),
      GRADE_LIMITS.summary,
    ),
    judgeUsage: ctx.judgeUsage,
    signals,
  };
}
