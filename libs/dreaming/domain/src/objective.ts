import { createHash } from 'node:crypto';
import type { SessionEventBody } from '@reverie/contracts';
import {
  gradeSession,
  sessionFacts,
  type GradeSessionInput,
  type OutcomeDefinition,
} from '@reverie/outcomes-domain';
import type { ValidationMetrics } from './dream.types';

/**
 * The three splits of a dream's tasks: learn on `train`; choose between alternatives and gate
 * promotion on `validation`; report on `test`, which no dream decision ever reads.
 */
export const DATA_SPLITS = ['train', 'validation', 'test'] as const;
export type DataSplit = (typeof DATA_SPLITS)[number];

/**
 * One task flown or run in an environment's sandbox with one rule set: what a session of it
 * would have recorded, as far as the environment's facts read it (the lander's `result`
 * observation; triage's result observation with precision, recall and F1), so the agent's outcome
 * definition grades it exactly as the grader grades a live session.
 */
export interface TaskRun {
  /** Task key (scenario id, case id). */
  task: string;
  /** The family the task belongs to ('' when the environment has none): reports are per family. */
  family: string;
  events: SessionEventBody[];
  /** A triage case's labelled lines, for `label_match` (else the recorded score is used). */
  labels?: GradeSessionInput['labels'];
}

/**
 * A run whose only recorded event is the environment's final `result` observation (what the
 * lander's and triage's facts read): the simplest TaskRun a sandbox can return.
 */
export function resultRun(
  task: string,
  family: string,
  result: Record<string, unknown>,
  extra: Pick<TaskRun, 'labels'> = {},
): TaskRun {
  return {
    task,
    family,
    events: [{ clientEventId: `sandbox-${task}`, type: 'observation', data: { result } }],
    ...extra,
  };
}

/** One criterion's verdict on one task. */
export interface TaskCriterion {
  id: string;
  required: boolean;
  gradable: boolean;
  passed: boolean;
  score: number;
}

/** A task run graded against the outcome definition. */
export interface TaskGrade {
  task: string;
  family: string;
  satisfied: boolean;
  /** The definition's weighted score, 0..1. */
  score: number;
  criteria: TaskCriterion[];
  /** The numeric facts the definition's `bound` criteria read, by fact name. */
  values: Record<string, number>;
}

/**
 * Grades sandbox runs against the outcome definition with the outcomes domain's own grader
 * (`gradeSession`, no judge: `judge` criteria are not gradable in a sandbox and count neither
 * way, unless required). A task is satisfied when the grade is `satisfied` at the last iteration
 * the definition allows.
 */
export async function gradeRuns(
  definition: OutcomeDefinition,
  environment: string,
  runs: readonly TaskRun[],
): Promise<TaskGrade[]> {
  const paths = definition.criteria.flatMap((c) => (c.kind === 'bound' ? [c.path] : []));
  const session = { status: 'completed' as const, environment };
  const out: TaskGrade[] = [];
  for (const run of runs) {
    const grade = await gradeSession({
      definition,
      definitionVersion: 0,
      events: run.events,
      session,
      iteration: definition.maxIterations,
      labels: run.labels ?? null,
      judge: null,
    });
    const facts = paths.length ? sessionFacts(run.events, session).values : {};
    const values: Record<string, number> = {};
    for (const p of paths) if (typeof facts[p] === 'number') values[p] = facts[p] as number;
    out.push({
      task: run.task,
      family: run.family,
      satisfied: grade.result === 'satisfied',
      score: grade.score,
      criteria: grade.criteria.map((c) => ({
        id: c.id,
        required: c.required,
        gradable: c.gradable,
        passed: c.passed,
        score: c.score,
      })),
      values,
    });
  }
  return out;
}

/** A criterion over a split: how often it passed and its mean score, over tasks it could grade. */
export interface CriterionScore {
  id: string;
  required: boolean;
  /** Tasks it could grade (0: not gradable in the sandbox; rates are then null). */
  graded: number;
  passRate: number | null;
  meanScore: number | null;
}

/** Medians of the definition's numeric facts: over all tasks, and over satisfied ones. */
export interface FactMedians {
  all: Record<string, number | null>;
  satisfied: Record<string, number | null>;
}

export interface GroupScore {
  tasks: number;
  satisfied: number;
  /** satisfied / tasks (0 when there are no tasks). */
  satisfiedRate: number;
  meanScore: number;
  medians: FactMedians;
}

/** A rule set's score on one split: overall, per criterion and per family. */
export interface SplitScore extends GroupScore {
  split: DataSplit;
  criteria: CriterionScore[];
  families: (GroupScore & { family: string })[];
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (x: number) => Math.round(x * 1e4) / 1e4;

function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return round(s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2);
}

function medians(grades: readonly TaskGrade[]): FactMedians {
  const names = [...new Set(grades.flatMap((g) => Object.keys(g.values)))].sort();
  const of = (gs: readonly TaskGrade[]) =>
    Object.fromEntries(
      names.map((n) => [n, median(gs.flatMap((g) => (n in g.values ? [g.values[n]] : [])))]),
    );
  return { all: of(grades), satisfied: of(grades.filter((g) => g.satisfied)) };
}

function group(grades: readonly TaskGrade[]): GroupScore {
  const satisfied = grades.filter((g) => g.satisfied).length;
  return {
    tasks: grades.length,
    satisfied,
    satisfiedRate: grades.length ? round(satisfied / grades.length) : 0,
    meanScore: round(mean(grades.map((g) => g.score))),
    medians: medians(grades),
  };
}

/** Summarises graded tasks of one split (criteria in the definition's order, families sorted). */
export function scoreSplit(split: DataSplit, grades: readonly TaskGrade[]): SplitScore {
  const ids = [...new Set(grades.flatMap((g) => g.criteria.map((c) => c.id)))];
  const criteria = ids.map((id): CriterionScore => {
    const of = grades.flatMap((g) => g.criteria.filter((c) => c.id === id));
    const graded = of.filter((c) => c.gradable);
    return {
      id,
      required: of.some((c) => c.required),
      graded: graded.length,
      passRate: graded.length ? round(graded.filter((c) => c.passed).length / graded.length) : null,
      meanScore: graded.length ? round(mean(graded.map((c) => c.score))) : null,
    };
  });
  const families = [...new Set(grades.map((g) => g.family))].sort().map((family) => ({
    family,
    ...group(grades.filter((g) => g.family === family)),
  }));
  return { split, ...group(grades), criteria, families };
}

/** When a candidate counts as better on validation, and how much a criterion may give up. */
export interface GateOptions {
  /** Fewest more validation tasks satisfied that count as a gain. */
  minSatisfiedGain: number;
  /** With at least as many satisfied, the rise of the mean score that counts as a gain. */
  minScoreGain: number;
  /** Most any criterion's mean score may fall (criterion-wise: no trading one for another). */
  criterionTolerance: number;
  /** Most tasks satisfied with the current rules that may fail with the candidate, as a share. */
  maxRegressionShare: number;
  /**
   * Most any one task's score may fall (task-wise: no trading one log for another). Off unless
   * set; for rubrics with graded criteria (triage's line F1), not pass/fail ones.
   */
  taskScoreTolerance?: number;
  /**
   * Regressions beyond `maxRegressionShare` are allowed when the candidate's net gain (tasks it
   * newly satisfies less the tasks it loses) is at least this many times what it loses: with 3,
   * losing one task needs four won, losing two needs eight. The criterion tolerance still holds.
   * Off unless set (any regression beyond the share refuses).
   */
  regressionTrade?: number;
  /**
   * A criterion whose mean score falls beyond `criterionTolerance` is allowed when the candidate's
   * net gain (tasks satisfied) is at least this many times the tasks that gave that criterion up
   * (its score lower than before): with 3, one task landing unsafely needs three more satisfied.
   * The same trade as `regressionTrade`, for tasks that were not satisfied before (a crash where
   * the current rules landed safely but off the rubric). Off unless set.
   */
  criterionTrade?: number;
  /**
   * Lower-is-better facts (paths of `lte` bound criteria, as `TaskGrade.values` names them) and
   * the share by which the median over satisfied tasks must fall to count as a gain when the
   * candidate satisfies as many tasks: `{ 'fuel.over_limit': 0.02 }` promotes a leaner flight
   * that lands no fewer. Off unless set.
   */
  factGains?: Readonly<Record<string, number>>;
}

export const DEFAULT_GATE: GateOptions = {
  minSatisfiedGain: 1,
  minScoreGain: 0.01,
  criterionTolerance: 0.02,
  maxRegressionShare: 0.05,
};

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * The criterion-wise gate on the validation split: promote when the candidate satisfies at least
 * `minSatisfiedGain` more tasks (or as many, with a mean score `minScoreGain` higher), no
 * criterion's mean score falls by more than `criterionTolerance`, and at most
 * `maxRegressionShare` of the tasks regress (satisfied before, not after; at least one task's
 * regression is allowed only when the share allows it). `before` and `after` grade the same tasks.
 */
export function gateCandidate(
  before: readonly TaskGrade[],
  after: readonly TaskGrade[],
  options: GateOptions = DEFAULT_GATE,
): ValidationMetrics {
  const b = scoreSplit('validation', before);
  const a = scoreSplit('validation', after);
  const afterOf = new Map(after.map((g) => [g.task, g]));
  const regressions = before
    .filter((g) => g.satisfied && afterOf.get(g.task)?.satisfied === false)
    .map((g) => g.task);
  const improvements = before
    .filter((g) => !g.satisfied && afterOf.get(g.task)?.satisfied === true)
    .map((g) => g.task);
  const criteria = b.criteria.map((c) => {
    const ca = a.criteria.find((x) => x.id === c.id);
    return { id: c.id, before: c.meanScore, after: ca?.meanScore ?? null };
  });
  const fell = criteria.filter(
    (c) => c.before !== null && c.after !== null && c.after < c.before - options.criterionTolerance,
  );
  const satisfiedGain = a.satisfied - b.satisfied;
  // Tasks whose score on any fallen criterion is lower than before, for `criterionTrade`.
  const scoreOn = (g: TaskGrade | undefined, id: string) =>
    g?.criteria.find((c) => c.id === id && c.gradable)?.score;
  const gaveTasks = before.filter((g) =>
    fell.some((c) => {
      const was = scoreOn(g, c.id);
      const now = scoreOn(afterOf.get(g.task), c.id);
      return was !== undefined && now !== undefined && now < was;
    }),
  );
  const criterionTraded =
    options.criterionTrade !== undefined &&
    fell.length > 0 &&
    satisfiedGain >= options.criterionTrade * gaveTasks.length;
  const gave = criterionTraded ? [] : fell;
  const taskTolerance = options.taskScoreTolerance;
  const lost =
    taskTolerance === undefined
      ? []
      : before.flatMap((g) => {
          const a = afterOf.get(g.task);
          return a && a.score < g.score - taskTolerance
            ? [{ task: g.task, before: g.score, after: a.score }]
            : [];
        });
  const scoreGain = round(a.meanScore - b.meanScore);
  const leaner = Object.entries(options.factGains ?? {}).flatMap(([fact, share]) => {
    const was = b.medians.satisfied[fact];
    const now = a.medians.satisfied[fact];
    return was != null && now != null && now <= was * (1 - share)
      ? [`median ${fact} ${was} -> ${now}`]
      : [];
  });
  const gains =
    satisfiedGain >= options.minSatisfiedGain ||
    (satisfiedGain >= 0 && (scoreGain >= options.minScoreGain || leaner.length > 0));
  const shareAllowed = Math.floor(options.maxRegressionShare * before.length);
  const trade = options.regressionTrade;
  const traded =
    trade !== undefined &&
    regressions.length > shareAllowed &&
    satisfiedGain >= trade * regressions.length;
  const allowed = traded ? regressions.length : shareAllowed;
  const what = `${b.satisfied} -> ${a.satisfied} of ${before.length} validation tasks satisfied, mean score ${b.meanScore} -> ${a.meanScore}`;
  let reason: string;
  if (!before.length) reason = 'no validation tasks to gate on';
  else if (gave.length)
    reason = `${what}; refused: gives up ${gave.map((c) => `${c.id} (${c.before} -> ${c.after})`).join(', ')} beyond the tolerance of ${options.criterionTolerance}${options.criterionTrade === undefined ? '' : ` and a net gain of ${satisfiedGain} is short of ${options.criterionTrade}x the ${gaveTasks.length} task(s) that gave it up`}`;
  else if (lost.length)
    reason = `${what}; refused: ${lost
      .slice(0, 5)
      .map((t) => `${t.task} (${round(t.before)} -> ${round(t.after)})`)
      .join(
        ', ',
      )} ${lost.length > 1 ? 'lose' : 'loses'} more than the task tolerance of ${taskTolerance}`;
  else if (regressions.length > allowed)
    reason = `${what}; refused: ${regressions.length} task(s) regress (${regressions.slice(0, 5).join(', ')}${regressions.length > 5 ? ', …' : ''}), more than the ${allowed} allowed (${pct(options.maxRegressionShare)})${trade === undefined ? '' : ` and a net gain of ${satisfiedGain} is short of ${trade}x the ${regressions.length} lost`}`;
  else if (!gains)
    reason = `${what}; refused: short of the gain needed (${options.minSatisfiedGain} more satisfied, or a mean score ${options.minScoreGain} higher${
      options.factGains
        ? `, or ${Object.entries(options.factGains)
            .map(([f, x]) => `median ${f} ${pct(x)} lower`)
            .join(', ')}`
        : ''
    })`;
  else
    reason = `${what}${leaner.length && satisfiedGain < options.minSatisfiedGain ? `, ${leaner.join(', ')}` : ''}; ${
      criterionTraded
        ? `${fell.map((c) => `${c.id} ${c.before} -> ${c.after}`).join(', ')} on ${gaveTasks.length} task(s) (${gaveTasks
            .slice(0, 5)
            .map((g) => g.task)
            .join(
              ', ',
            )}), allowed as the net gain of ${satisfiedGain} is at least ${options.criterionTrade}x that`
        : `no criterion gave up more than ${options.criterionTolerance}`
    }${traded ? `; ${regressions.length} task(s) regress (${regressions.slice(0, 5).join(', ')}), allowed as the net gain of ${satisfiedGain} is at least ${trade}x that` : ''}`;
  const promote =
    before.length > 0 && !gave.length && !lost.length && regressions.length <= allowed && gains;
  return {
    split: 'validation',
    heldOut: before.length,
    metric: 'tasks satisfying the outcome definition',
    before: b.satisfied,
    after: a.satisfied,
    extra: {
      satisfied_rate_before: b.satisfiedRate,
      satisfied_rate_after: a.satisfiedRate,
      mean_score_before: b.meanScore,
      mean_score_after: a.meanScore,
      ...Object.fromEntries(
        Object.entries(b.medians.satisfied).flatMap(([k, v]) => [
          [`median ${k} (satisfied) before`, v],
          [`median ${k} (satisfied) after`, a.medians.satisfied[k] ?? null],
        ]),
      ),
    },
    criteria,
    regressions,
    improvements,
    promote,
    reason,
  };
}

/**
 * Splits held-out items into validation and test, deterministically by id (a stable hash with
 * `salt`), about half each; with one item it goes to validation. Items never move between
 * splits as others are added.
 */
export function splitValidationTest<T extends { id: string }>(
  heldOut: readonly T[],
  salt: string,
): { validation: T[]; test: T[] } {
  const validation: T[] = [];
  const test: T[] = [];
  for (const item of heldOut)
    (hashUnit(`${salt}:vt:${item.id}`) < 0.5 ? validation : test).push(item);
  if (!validation.length && test.length) validation.push(test.shift()!);
  return { validation, test };
}

/**
 * `text`'s SHA-256, as a number in [0, 1). A hash whose every output bit depends on every input
 * bit: the FNV-1a used before left ids that differ only in a trailing number (`scenario-7`,
 * `scenario-8`, ...) strongly correlated, so a family of 20 sequential ids often went all to
 * validation or all to test (spread 7.0 around 10 instead of the 2.2 of fair coins).
 */
export function hashUnit(text: string): number {
  return parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16) / 2 ** 48;
}
