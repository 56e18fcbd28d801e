import type { OutcomeDefinition } from '@reverie/outcomes-domain';
import type { ValidationMetrics } from './dream.types';
import { scoreSplit, type SplitScore, type TaskGrade } from './objective';

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
   * Tasks whose score falls beyond `taskScoreTolerance` are allowed when none falls by more than
   * `maxTaskLoss` and the score the candidate gains over the validation tasks (summed) is at least
   * `ratio` times the score it costs them: with 10, a log that loses 0.1 F1 needs the others to
   * gain 1.0 between them. On logs of many tools no rule that lifts most of them leaves every one
   * as it was. Off unless set.
   */
  taskScoreTrade?: { ratio: number; maxTaskLoss: number };
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
  /**
   * Most satisfied tasks any one family may lose net (satisfied before less satisfied after, over
   * the family's validation tasks): with 0, a candidate that wins on some families may not pay
   * for it with another family's tasks, whatever the trades above allow. Off unless set: the
   * operator's outcome definition sets it (`promotion.familyTolerance`, see `withPromotionRules`).
   */
  familyTolerance?: number;
  /**
   * Ids of criteria no gain may pay for: their mean score may not fall at all (no
   * `criterionTolerance`, no `criterionTrade`). Off unless set: the operator's outcome definition
   * sets it (`promotion.holdCriteria`, see `withPromotionRules`).
   */
  holdCriteria?: readonly string[];
  /**
   * A validation split the current rules already satisfy in full cannot show a gain in tasks.
   * With this set, a candidate that keeps every validation task satisfied (and passes every other
   * check) also counts as a gain when its training evidence (`TrainEvidence`, the reflector's own
   * flights) satisfies at least max(`minTasks`, `minShare` of the training tasks) more than the
   * current rules. Off unless set, and never without training evidence.
   */
  saturatedTrainGain?: { minTasks: number; minShare: number };
  /**
   * Regressions beyond `maxRegressionShare` that are allowed, up to `tasks`, when the candidate
   * satisfies at least as many validation tasks as the current rules (each task it loses is made
   * up by another it newly satisfies), the median of a `factGains` fact over satisfied tasks is at
   * least `leaner` (a share) lower, and its training evidence (`TrainEvidence`) satisfies no fewer
   * training tasks. On a split of twenty, one task traded for another says nothing about how often
   * the rubric is met; the fuel it saves on every satisfied task does. Off unless set, and never
   * without training evidence.
   */
  efficiencySwaps?: { tasks: number; leaner: number };
}

/**
 * What a reflector measured on the training split: tasks satisfied with the current rules and
 * with the candidate, of `tasks`. Only `saturatedTrainGain` reads it.
 */
export interface TrainEvidence {
  before: number;
  after: number;
  tasks: number;
}

export const DEFAULT_GATE: GateOptions = {
  minSatisfiedGain: 1,
  minScoreGain: 0.01,
  criterionTolerance: 0.02,
  maxRegressionShare: 0.05,
};

/** `base` with the operator's promotion rules (the outcome definition's `promotion`) over it. */
export function withPromotionRules(
  base: GateOptions,
  definition: Pick<OutcomeDefinition, 'promotion'>,
): GateOptions {
  const { familyTolerance, holdCriteria } = definition.promotion ?? {};
  if (familyTolerance === undefined && !holdCriteria?.length) return base;
  return {
    ...base,
    ...(familyTolerance !== undefined && { familyTolerance }),
    ...(holdCriteria?.length && { holdCriteria }),
  };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
/** The first five items, comma-separated (reasons name examples, not every task). */
const firstFive = (xs: readonly string[]) => xs.slice(0, 5).join(', ');

interface CriterionChange {
  id: string;
  before: number | null;
  after: number | null;
}

/** Everything the gate weighs, read off the two gradings of the same validation tasks. */
interface GateFacts {
  tasks: number;
  before: SplitScore;
  after: SplitScore;
  satisfiedGain: number;
  /** Tasks satisfied before and not after. */
  regressions: string[];
  /** Tasks not satisfied before and satisfied after. */
  improvements: string[];
  criteria: CriterionChange[];
  /** Criteria whose mean fell beyond the tolerance, and the tasks whose score on them fell. */
  fell: CriterionChange[];
  /** Of `fell`, the criteria the outcome definition holds (no tolerance, no trade). */
  held: CriterionChange[];
  gaveTasks: string[];
  /** Whether `criterionTrade` pays for `fell` (then it refuses nothing). */
  criterionTraded: boolean;
  /** Tasks whose score fell beyond `taskScoreTolerance`. */
  lost: { task: string; before: number; after: number }[];
  /** Whether `taskScoreTrade` pays for `lost` (then it refuses nothing), with the sums. */
  lostTraded: { gained: number; lost: number } | null;
  /** Families that lost more satisfied tasks net than `familyTolerance` allows. */
  familiesLost: { family: string; tasks: number; before: number; after: number }[];
  /** `factGains` facts whose median over satisfied tasks fell enough, described. */
  leaner: string[];
  /** Set when `saturatedTrainGain` is the gain: the training evidence, described. */
  saturated: string | null;
  gains: boolean;
  /** Regressions allowed, and whether `regressionTrade` or `efficiencySwaps` is what allows them. */
  allowedRegressions: number;
  regressionTraded: boolean;
  swapped: boolean;
}

const scoreOn = (g: TaskGrade | undefined, id: string) =>
  g?.criteria.find((c) => c.id === id && c.gradable)?.score;

/** Criteria whose mean score fell beyond the tolerance, the tasks behind it, and the trade. */
function fallenCriteria(
  before: readonly TaskGrade[],
  afterOf: ReadonlyMap<string, TaskGrade>,
  criteria: readonly CriterionChange[],
  satisfiedGain: number,
  options: GateOptions,
): Pick<GateFacts, 'fell' | 'held' | 'gaveTasks' | 'criterionTraded'> {
  const isHeld = (c: CriterionChange) => options.holdCriteria?.includes(c.id) ?? false;
  // A held criterion may not fall at all (the epsilon is for the means' rounding only).
  const tolerance = (c: CriterionChange) => (isHeld(c) ? 1e-9 : options.criterionTolerance);
  const fell = criteria.filter(
    (c) => c.before !== null && c.after !== null && c.after < c.before - tolerance(c),
  );
  const gaveTasks = before
    .filter((g) =>
      fell.some((c) => {
        const was = scoreOn(g, c.id);
        const now = scoreOn(afterOf.get(g.task), c.id);
        return was !== undefined && now !== undefined && now < was;
      }),
    )
    .map((g) => g.task);
  const held = fell.filter(isHeld);
  const criterionTraded =
    options.criterionTrade !== undefined &&
    fell.length > 0 &&
    !held.length &&
    satisfiedGain >= options.criterionTrade * gaveTasks.length;
  return { fell, held, gaveTasks, criterionTraded };
}

/** Tasks whose score fell beyond `taskScoreTolerance` (none when it is off). */
function lostTasks(
  before: readonly TaskGrade[],
  afterOf: ReadonlyMap<string, TaskGrade>,
  tolerance: number | undefined,
): GateFacts['lost'] {
  if (tolerance === undefined) return [];
  return before.flatMap((g) => {
    const a = afterOf.get(g.task);
    return a && a.score < g.score - tolerance
      ? [{ task: g.task, before: g.score, after: a.score }]
      : [];
  });
}

/** The score summed over the tasks that gained and over those that lost, when the trade pays. */
function taskTrade(
  before: readonly TaskGrade[],
  afterOf: ReadonlyMap<string, TaskGrade>,
  lost: GateFacts['lost'],
  trade: GateOptions['taskScoreTrade'],
): GateFacts['lostTraded'] {
  if (trade === undefined || !lost.length) return null;
  if (lost.some((t) => t.before - t.after > trade.maxTaskLoss)) return null;
  let gained = 0;
  let fell = 0;
  for (const g of before) {
    const delta = (afterOf.get(g.task)?.score ?? g.score) - g.score;
    if (delta > 0) gained += delta;
    else fell -= delta;
  }
  return gained >= trade.ratio * fell ? { gained: round(gained), lost: round(fell) } : null;
}

/**
 * Per family, its tasks and how many of them were satisfied before and after: `families[i]`,
 * `before[i]` and `after[i]` describe the same task.
 */
export function familyCounts(
  families: readonly string[],
  before: readonly boolean[],
  after: readonly boolean[],
): Map<string, { tasks: number; before: number; after: number }> {
  const byFamily = new Map<string, { tasks: number; before: number; after: number }>();
  families.forEach((family, i) => {
    const f = byFamily.get(family) ?? { tasks: 0, before: 0, after: 0 };
    f.tasks++;
    if (before[i]) f.before++;
    if (after[i]) f.after++;
    byFamily.set(family, f);
  });
  return byFamily;
}

/** Families whose satisfied count fell by more than `familyTolerance` (none when it is off). */
function lostFamilies(
  before: readonly TaskGrade[],
  afterOf: ReadonlyMap<string, TaskGrade>,
  tolerance: number | undefined,
): GateFacts['familiesLost'] {
  if (tolerance === undefined) return [];
  const counts = familyCounts(
    before.map((g) => g.family),
    before.map((g) => g.satisfied),
    before.map((g) => afterOf.get(g.task)?.satisfied ?? false),
  );
  return [...counts]
    .filter(([, f]) => f.before - f.after > tolerance)
    .map(([family, f]) => ({ family, ...f }));
}

/** `factGains` facts whose median over satisfied tasks fell by their share, described. */
function leanerFacts(b: SplitScore, a: SplitScore, factGains: GateOptions['factGains']): string[] {
  return Object.entries(factGains ?? {}).flatMap(([fact, share]) => {
    const was = b.medians.satisfied[fact];
    const now = a.medians.satisfied[fact];
    return was != null && now != null && now <= was * (1 - share)
      ? [`median ${fact} ${was} -> ${now}`]
      : [];
  });
}

/**
 * The training evidence, described, when `saturatedTrainGain` counts it as the gain: every
 * validation task satisfied before and after, and enough more training tasks satisfied.
 */
function saturatedGain(
  b: SplitScore,
  a: SplitScore,
  tasks: number,
  rule: GateOptions['saturatedTrainGain'],
  train: TrainEvidence | undefined,
): string | null {
  if (!rule || !train || !tasks || b.satisfied < tasks || a.satisfied < tasks) return null;
  const needed = Math.max(rule.minTasks, rule.minShare * train.tasks);
  return train.after - train.before >= needed
    ? `validation saturated (${tasks} of ${tasks} before and after), training ${train.before} -> ${train.after} of ${train.tasks} satisfied`
    : null;
}

/** Whether `efficiencySwaps` allows `regressions` lost tasks (see `GateOptions.efficiencySwaps`). */
function efficiencySwap(
  b: SplitScore,
  a: SplitScore,
  regressions: number,
  options: GateOptions,
  train: TrainEvidence | undefined,
): boolean {
  const swaps = options.efficiencySwaps;
  if (!swaps || regressions > swaps.tasks || a.satisfied < b.satisfied) return false;
  if (!train || train.after < train.before) return false;
  const facts = Object.keys(options.factGains ?? {}).map((fact) => [fact, swaps.leaner]);
  return leanerFacts(b, a, Object.fromEntries(facts)).length > 0;
}

function gateFacts(
  before: readonly TaskGrade[],
  after: readonly TaskGrade[],
  options: GateOptions,
  train: TrainEvidence | undefined,
): GateFacts {
  const b = scoreSplit('validation', before);
  const a = scoreSplit('validation', after);
  const afterOf = new Map(after.map((g) => [g.task, g]));
  const flipped = (from: boolean) =>
    before
      .filter((g) => g.satisfied === from && afterOf.get(g.task)?.satisfied === !from)
      .map((g) => g.task);
  const regressions = flipped(true);
  const lost = lostTasks(before, afterOf, options.taskScoreTolerance);
  const criteria = b.criteria.map((c) => ({
    id: c.id,
    before: c.meanScore,
    after: a.criteria.find((x) => x.id === c.id)?.meanScore ?? null,
  }));
  const satisfiedGain = a.satisfied - b.satisfied;
  const leaner = leanerFacts(b, a, options.factGains);
  const saturated = saturatedGain(b, a, before.length, options.saturatedTrainGain, train);
  const scoreGain = round(a.meanScore - b.meanScore);
  const shareAllowed = Math.floor(options.maxRegressionShare * before.length);
  const regressionTraded =
    options.regressionTrade !== undefined &&
    regressions.length > shareAllowed &&
    satisfiedGain >= options.regressionTrade * regressions.length;
  const swapped =
    !regressionTraded &&
    regressions.length > shareAllowed &&
    efficiencySwap(b, a, regressions.length, options, train);
  return {
    tasks: before.length,
    before: b,
    after: a,
    satisfiedGain,
    regressions,
    improvements: flipped(false),
    criteria,
    ...fallenCriteria(before, afterOf, criteria, satisfiedGain, options),
    lost,
    lostTraded: taskTrade(before, afterOf, lost, options.taskScoreTrade),
    familiesLost: lostFamilies(before, afterOf, options.familyTolerance),
    leaner,
    saturated,
    gains:
      satisfiedGain >= options.minSatisfiedGain ||
      (satisfiedGain >= 0 && (scoreGain >= options.minScoreGain || leaner.length > 0)) ||
      saturated !== null,
    allowedRegressions: regressionTraded || swapped ? regressions.length : shareAllowed,
    regressionTraded,
    swapped,
  };
}

/** What an efficiency swap would have needed, for a refusal's reason ('' when swaps are off). */
function swapTerms(o: GateOptions): string {
  const swaps = o.efficiencySwaps;
  if (!swaps) return '';
  const facts = Object.keys(o.factGains ?? {}).join(' or ');
  return `; a swap of at most ${swaps.tasks} needs as many satisfied, median ${facts} ${pct(swaps.leaner)} lower and no fewer training tasks satisfied`;
}

/** Why the gate refuses the candidate, or null when it promotes (checks in order). */
function refusal(f: GateFacts, o: GateOptions): string | null {
  if (!f.tasks) return 'no validation tasks to gate on';
  const said = (cs: readonly CriterionChange[]) =>
    cs.map((c) => `${c.id} (${c.before} -> ${c.after})`).join(', ');
  if (f.held.length)
    return `refused: gives up ${said(f.held)}, which the outcome definition holds (promotion.holdCriteria): a held criterion may not fall, whatever the gain`;
  if (f.fell.length && !f.criterionTraded)
    return `refused: gives up ${said(f.fell)} beyond the tolerance of ${o.criterionTolerance}${o.criterionTrade === undefined ? '' : ` and a net gain of ${f.satisfiedGain} is short of ${o.criterionTrade}x the ${f.gaveTasks.length} task(s) that gave it up`}`;
  if (f.lost.length && !f.lostTraded)
    return `refused: ${f.lost
      .slice(0, 5)
      .map((t) => `${t.task} (${round(t.before)} -> ${round(t.after)})`)
      .join(
        ', ',
      )} ${f.lost.length > 1 ? 'lose' : 'loses'} more than the task tolerance of ${o.taskScoreTolerance}${o.taskScoreTrade === undefined ? '' : ` (a trade allows up to ${o.taskScoreTrade.maxTaskLoss} when the others gain ${o.taskScoreTrade.ratio}x the score lost)`}`;
  if (f.familiesLost.length)
    return `refused: ${f.familiesLost
      .map((x) => `family ${x.family || '(none)'} ${x.before} -> ${x.after} of ${x.tasks}`)
      .join(', ')} satisfied, more than the family tolerance of ${o.familyTolerance}`;
  const r = f.regressions;
  if (r.length > f.allowedRegressions)
    return `refused: ${r.length} task(s) regress (${firstFive(r)}${r.length > 5 ? ', …' : ''}), more than the ${f.allowedRegressions} allowed (${pct(o.maxRegressionShare)})${o.regressionTrade === undefined ? '' : ` and a net gain of ${f.satisfiedGain} is short of ${o.regressionTrade}x the ${r.length} lost`}${swapTerms(o)}`;
  if (!f.gains)
    return `refused: short of the gain needed (${o.minSatisfiedGain} more satisfied, or a mean score ${o.minScoreGain} higher${
      o.factGains
        ? `, or ${Object.entries(o.factGains)
            .map(([fact, x]) => `median ${fact} ${pct(x)} lower`)
            .join(', ')}`
        : ''
    }${
      o.saturatedTrainGain
        ? `, or with every validation task satisfied before and after, at least ${o.saturatedTrainGain.minTasks} more training tasks satisfied (${pct(o.saturatedTrainGain.minShare)} of them where that is more)`
        : ''
    })`;
  return null;
}

/** What a promotion rests on: the leaner facts, and any trade that allowed a loss. */
function acceptance(f: GateFacts, o: GateOptions): string {
  const leaner =
    f.leaner.length && f.satisfiedGain < o.minSatisfiedGain ? `, ${f.leaner.join(', ')}` : '';
  const saturated = f.saturated && !f.leaner.length ? `, ${f.saturated}` : '';
  const criteria = f.criterionTraded
    ? `${f.fell.map((c) => `${c.id} ${c.before} -> ${c.after}`).join(', ')} on ${f.gaveTasks.length} task(s) (${firstFive(f.gaveTasks)}), allowed as the net gain of ${f.satisfiedGain} is at least ${o.criterionTrade}x that`
    : `no criterion gave up more than ${o.criterionTolerance}`;
  const regressions = f.regressionTraded
    ? `; ${f.regressions.length} task(s) regress (${firstFive(f.regressions)}), allowed as the net gain of ${f.satisfiedGain} is at least ${o.regressionTrade}x that`
    : f.swapped
      ? `; ${f.regressions.length} task(s) regress (${firstFive(f.regressions)}), allowed: as many others are newly satisfied (${firstFive(f.improvements)}), it is leaner, and its training flights satisfy no fewer`
      : '';
  const tasks = f.lostTraded
    ? `; ${f.lost.map((t) => `${t.task} ${round(t.before)} -> ${round(t.after)}`).join(', ')} beyond the task tolerance, allowed as the tasks gain ${f.lostTraded.gained} in score, at least ${o.taskScoreTrade?.ratio}x the ${f.lostTraded.lost} lost`
    : '';
  return `${leaner}${saturated}; ${criteria}${regressions}${tasks}`;
}

function validationMetrics(f: GateFacts, promote: boolean, reason: string): ValidationMetrics {
  const { before: b, after: a } = f;
  return {
    split: 'validation',
    heldOut: f.tasks,
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
    criteria: f.criteria,
    regressions: f.regressions,
    improvements: f.improvements,
    promote,
    reason,
  };
}

/**
 * The criterion-wise gate on the validation split: promote when the candidate satisfies at least
 * `minSatisfiedGain` more tasks (or as many, with a mean score `minScoreGain` higher, or a
 * `factGains` fact leaner), no criterion's mean score falls by more than `criterionTolerance`
 * (unless `criterionTrade` pays for it), no task's score falls beyond `taskScoreTolerance` (unless
 * `taskScoreTrade` pays for it), no family loses more satisfied tasks than `familyTolerance`, and
 * at most `maxRegressionShare` of the tasks regress (satisfied before, not after; unless
 * `regressionTrade` pays for them). `before` and `after` grade the same tasks. `train`, what the
 * reflector measured on the training split, counts only under `saturatedTrainGain`.
 */
export function gateCandidate(
  before: readonly TaskGrade[],
  after: readonly TaskGrade[],
  options: GateOptions = DEFAULT_GATE,
  train?: TrainEvidence,
): ValidationMetrics {
  const facts = gateFacts(before, after, options, train);
  const refused = refusal(facts, options);
  const what = `${facts.before.satisfied} -> ${facts.after.satisfied} of ${facts.tasks} validation tasks satisfied, mean score ${facts.before.meanScore} -> ${facts.after.meanScore}`;
  if (refused === null)
    return validationMetrics(facts, true, `${what}${acceptance(facts, options)}`);
  // With no tasks there is nothing to compare: the refusal says so alone.
  return validationMetrics(facts, false, facts.tasks ? `${what}; ${refused}` : refused);
}
