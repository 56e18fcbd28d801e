import { createHash } from 'node:crypto';
import type { SessionEventBody } from '@reverie/contracts';
import {
  gradeSession,
  sessionFacts,
  type Criterion,
  type GradeSessionInput,
  type OutcomeDefinition,
} from '@reverie/outcomes-domain';

/**
 * The three splits of a dream's tasks: learn on `train`; choose between alternatives and gate
 * promotion on `validation`; report on `test`, which no dream decision ever reads.
 */
export const DATA_SPLITS = ['train', 'validation', 'test'] as const;
export type DataSplit = (typeof DATA_SPLITS)[number];

/**
 * What a sandbox run's events hold: `session`, what a live session of the task records (its
 * actions and steps too: triage's runs); `result`, only the environment's final result
 * observation; `result-with-steps`, that observation at the step a live session records it (the
 * lander's flights, thousands a dream, keep no command events but know their last step).
 */
export type RunRecords = 'session' | 'result' | 'result-with-steps';

/**
 * One task flown or run in an environment's sandbox with one rule set: what a session of it
 * would have recorded, as far as `records` says, so the agent's outcome definition grades it as
 * the grader grades a live session. Criteria the events cannot show are not gradable
 * (`sandboxUngradable`).
 */
export interface TaskRun {
  /** Task key (scenario id, case id). */
  task: string;
  /** The family the task belongs to ('' when the environment has none): reports are per family. */
  family: string;
  events: SessionEventBody[];
  /** What `events` hold ('session' when left out). */
  records?: RunRecords;
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
  extra: Pick<TaskRun, 'labels'> & {
    /** The step a live session records the result at (its last): steps are then gradable. */
    step?: number;
  } = {},
): TaskRun {
  const { step, ...rest } = extra;
  return {
    task,
    family,
    events: [
      {
        clientEventId: `sandbox-${task}`,
        type: 'observation',
        data: { result },
        ...(step !== undefined && { step }),
      },
    ],
    records: step === undefined ? 'result' : 'result-with-steps',
    ...rest,
  };
}

/** Generic facts a result alone does not give (`session.status` it does: the run ended). */
const SESSION_FACTS = new Set([
  'session.steps',
  'session.events',
  'session.errors',
  'tokens.total',
  'tokens.input',
  'tokens.output',
]);

/**
 * Why criterion `c` cannot be graded on a sandbox run that holds `records`, or null when it
 * can: a sandbox has no judge, and a result-only run has no tool calls, steps, events or model
 * calls to count. Such a criterion counts neither way in a dream, even when required (live
 * grading still checks it); the report lists it.
 */
export function sandboxUngradable(c: Criterion, records: RunRecords): string | null {
  if (c.kind === 'judge') return 'not gradable in a sandbox: a sandbox run is not judged';
  if (records === 'session') return null;
  const steps = records === 'result-with-steps';
  const only = `not gradable in a sandbox: its runs record only the final result${steps ? ' and its step' : ''}`;
  if (c.kind === 'tool') return `${only}, not the tool calls`;
  if (c.kind === 'step_limit') return steps ? null : `${only}, not the steps`;
  if (c.kind === 'token_budget') return `${only}, not the model calls`;
  if (c.kind === 'bound' && SESSION_FACTS.has(c.path))
    return steps && c.path === 'session.steps' ? null : `${only}, not ${c.path}`;
  return null;
}

/** The definition's criteria a sandbox run holding `records` cannot grade, with why. */
export function sandboxUngradableCriteria(
  definition: OutcomeDefinition,
  records: RunRecords,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of definition.criteria) {
    const why = sandboxUngradable(c, records);
    if (why !== null) out.set(c.id, why);
  }
  return out;
}

/**
 * The `tool` criteria expecting a tool that no run with its events (`session` records) called:
 * a misspelt name (`submit_answers`) fails every run, and the runs' own tool names say why.
 * Empty when no run records its tool calls.
 */
export function toolsNeverCalled(
  definition: OutcomeDefinition,
  runs: readonly TaskRun[],
): { id: string; tool: string; called: string[] }[] {
  const sessions = runs.filter((r) => (r.records ?? 'session') === 'session');
  if (!sessions.length) return [];
  const called = new Set<string>();
  for (const r of sessions)
    for (const e of r.events)
      if ((e.type === 'tool_call' || e.type === 'action') && typeof e.name === 'string')
        called.add(e.name);
  return definition.criteria.flatMap((c) =>
    c.kind === 'tool' && c.expect === 'called' && !called.has(c.tool)
      ? [{ id: c.id, tool: c.tool, called: [...called].sort() }]
      : [],
  );
}

/**
 * The definition a sandbox grades by: criteria it cannot grade are made optional (they count
 * neither way, not as a failure of every run), with the reasons for `gradeSession`.
 */
function sandboxDefinition(definition: OutcomeDefinition, records: RunRecords) {
  const ungradable = sandboxUngradableCriteria(definition, records);
  const criteria = definition.criteria.map((c) =>
    ungradable.has(c.id) ? { ...c, required: false } : c,
  );
  return { definition: { ...definition, criteria }, ungradable };
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
 * (`gradeSession`). Criteria a run cannot show (`sandboxUngradable`: `judge`, and for result-only
 * runs `tool`, `step_limit`, `token_budget` and bounds on session counts) are not gradable and
 * count neither way, even when required. A task is satisfied when the grade is `satisfied` at the
 * last iteration the definition allows.
 */
export async function gradeRuns(
  definition: OutcomeDefinition,
  environment: string,
  runs: readonly TaskRun[],
): Promise<TaskGrade[]> {
  const paths = definition.criteria.flatMap((c) => (c.kind === 'bound' ? [c.path] : []));
  const session = { status: 'completed' as const, environment };
  const required = new Map(definition.criteria.map((c) => [c.id, c.required]));
  const graders = new Map<RunRecords, ReturnType<typeof sandboxDefinition>>();
  const out: TaskGrade[] = [];
  for (const run of runs) {
    const records = run.records ?? 'session';
    const grader = graders.get(records) ?? sandboxDefinition(definition, records);
    graders.set(records, grader);
    const grade = await gradeSession({
      definition: grader.definition,
      ungradable: grader.ungradable,
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
        required: required.get(c.id) ?? c.required,
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

/** Graded tasks summarised: overall, per criterion and per family. */
export interface TasksScore extends GroupScore {
  criteria: CriterionScore[];
  families: (GroupScore & { family: string })[];
}

/** A rule set's score on one split of a dream. */
export interface SplitScore extends TasksScore {
  split: DataSplit;
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
  return { split, ...scoreTasks(grades) };
}

/** Summarises graded tasks, of a split or of any set (a user's cases in `eval`). */
export function scoreTasks(grades: readonly TaskGrade[]): TasksScore {
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
  return { ...group(grades), criteria, families };
}

/**
 * The 95 % Wilson score interval of a rate of `k` in `n` ([0, 1] with no tasks): how far a
 * small split's rate can be from the rate on tasks like it. With 19 test tasks one task moves the
 * rate by 5 points, and 16 of 19 reads as 62-94 %.
 */
export function rateInterval(k: number, n: number, z = 1.96): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** `rateInterval` in whole percent, as printed beside a rate: `62–94` for 16 of 19. */
export function rateIntervalText(k: number, n: number): string {
  return rateInterval(k, n)
    .map((x) => Math.round(100 * x))
    .join('–');
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
