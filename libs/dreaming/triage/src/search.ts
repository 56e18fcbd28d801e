import type { Condition, FeatureTest, PlaybookRule } from '@reverie/playbooks-domain';
import {
  contrastLines,
  DEFAULT_CONTRAST,
  type Contrast,
  type ContrastOptions,
  type ContrastTest,
} from './contrast';
import { describeRule } from './entries';
import { caseDeltas, RuleSetScorer, tradeOf, type CaseDelta, type LabelledCase } from './evaluate';

export interface SearchOptions {
  /** Rule-set evaluations (each runs every training case) the search may spend, baseline included. */
  maxEvaluations: number;
  /** A candidate is kept, and a combination grows, only if training macro F1 rises by more. */
  minGain: number;
  /** The greedy combination skips a rule that costs any training case more F1 than this... */
  maxCaseLoss: number;
  /**
   * ...unless it costs no case more than `trade.maxCaseLoss` and the F1 it gains the training
   * cases (summed) is at least `trade.ratio` times what it costs them: on logs of many tools
   * (or labelled by several hands) the rule that lifts most of them costs one a little.
   */
  trade: { maxCaseLoss: number; ratio: number };
  /**
   * Candidates are ranked by training macro F1 minus this times the F1 they cost the cases that
   * lose (summed, divided by the number of cases): of two rules with the same average gain, the
   * one that breaks nothing is tried first.
   */
  lossWeight: number;
  contrast: ContrastOptions;
  /** Prefix of the generated entry ids. */
  idPrefix: string;
  /**
   * Told after each rule-set evaluation (`done` of `maxEvaluations`; the search may end sooner),
   * so a dream shows where its reflect stage is. A throw stops the search.
   */
  onProgress?: (done: number, maxEvaluations: number) => void | Promise<void>;
}

export const DEFAULT_SEARCH: SearchOptions = {
  maxEvaluations: 300,
  minGain: 0.002,
  // Stricter than the validation gate's tolerance (0.05): a rule that already costs a training
  // log a few points tends to cost an unseen log more.
  maxCaseLoss: 0.02,
  trade: { maxCaseLoss: 0.1, ratio: 10 },
  lossWeight: 2,
  contrast: DEFAULT_CONTRAST,
  idPrefix: 'dream-triage',
};

/** One proposed rule and what it did on the training cases. */
export interface TriageCandidate {
  rule: PlaybookRule;
  /** Training macro F1 with the current rules, and with this rule appended. */
  before: number;
  after: number;
  /** Training cases that gained / lost F1 with the rule (and by how much), largest first. */
  gained: CaseDelta[];
  lost: CaseDelta[];
}

export interface TriageSearch {
  /** Training macro F1 with the current rules. */
  baseline: number;
  /** Every candidate that improved training macro F1 alone, best first. */
  candidates: TriageCandidate[];
  /** The greedy combination: each rule's evidence is its gain over the rules accepted before it. */
  selected: TriageCandidate[];
  /** Candidates that helped alone, one per distinct effect on the training cases, best ranked first. */
  distinct: TriageCandidate[];
  /** Training macro F1 with the current rules followed by `selected`. */
  final: number;
  evaluations: number;
  contrast: Contrast;
}

const test = (t: ContrastTest): FeatureTest => ({ feature: t.feature, op: t.op, value: t.value });
const fresh: FeatureTest = { feature: 'inPassLog', op: 'eq', value: false };
const unselected: FeatureTest = { feature: 'selected', op: 'eq', value: false };
const chosen: FeatureTest = { feature: 'selected', op: 'eq', value: true };
const all = (...c: FeatureTest[]): Condition => (c.length === 1 ? c[0] : { all: c });

/**
 * The condition with each numeric threshold moved in turn (a quarter, half, one less, one more,
 * twice): the contrast proposes thresholds from quantiles of the training mistakes, and a
 * narrower context window often keeps the gain and drops the lines that cost precision.
 */
export function retuned(when: Condition): Condition[] {
  const tests = 'all' in when ? when.all : [when];
  const out: Condition[] = [];
  tests.forEach((t, i) => {
    if (!('feature' in t) || (t.op !== 'lte' && t.op !== 'gte') || typeof t.value !== 'number')
      return;
    const v = t.value;
    const whole = Number.isInteger(v);
    const values = whole
      ? [Math.floor(v / 4), Math.floor(v / 2), v - 1, v + 1, v * 2]
      : [v / 4, v / 2, v * 2].map((x) => Math.round(x * 1000) / 1000);
    for (const value of new Set(values)) {
      if (value === v || value < 0) continue;
      const moved = tests.map((u, j) => (j === i ? { ...(u as FeatureTest), value } : u));
      out.push(moved.length === 1 ? moved[0] : { all: moved });
    }
  });
  return out;
}

/** Candidate `when`/`then` pairs from the contrast, most promising first. */
function proposals(contrast: Contrast): Omit<PlaybookRule, 'entryId' | 'title'>[] {
  const out: Omit<PlaybookRule, 'entryId' | 'title'>[] = [];
  const include = [...contrast.patterns, ...contrast.features].filter((t) => t.target === 'missed');
  const exclude = [...contrast.patterns, ...contrast.features].filter(
    (t) => t.target === 'falsePositive',
  );
  const booleans = contrast.features.filter(
    (t) => t.target === 'missed' && t.op === 'eq' && t.feature !== 'selected',
  );
  type Proposal = Omit<PlaybookRule, 'entryId' | 'title'>;
  const includes: Proposal[] = [];
  const windows: Proposal[] = [];
  const excludes: Proposal[] = [];
  for (const t of include) {
    if (t.feature === 'inPassLog') continue;
    includes.push({ when: all(test(t), fresh, unselected), then: { action: 'include' } });
    for (const b of booleans.slice(0, 3))
      if (b.feature !== t.feature && b.feature !== 'inPassLog')
        includes.push({
          when: all(test(t), test(b), fresh, unselected),
          then: { action: 'include' },
        });
    // A context window (a distance threshold) or a block may take lines pass.log also has: the
    // boilerplate a build prints around its new error is the same in every build, yet labelled
    // with it, and so are the frames of a new exception that an old one also passed through.
    if (t.feature !== 'text' && t.op !== 'gte')
      includes.push({ when: all(test(t), unselected), then: { action: 'include' } });
  }
  // Context windows around anchors: the lines after and before a fresh marker (a marker line
  // pass.log does not have) and the patterns that start what was missed.
  const anchors: Condition[] = [
    all({ feature: 'isMarker', op: 'eq', value: true }, fresh),
    ...include
      .filter((x) => x.feature === 'text')
      .slice(0, 6)
      .map((t) => all(test(t), fresh)),
  ];
  for (const when of anchors) {
    for (const lines of [1, 3, 10])
      windows.push({ when, then: { action: 'include_following', params: { lines } } });
    for (const lines of [1, 2])
      windows.push({ when, then: { action: 'include_preceding', params: { lines } } });
  }
  for (const t of exclude) {
    if (t.feature === 'selected') continue;
    excludes.push({ when: all(test(t), chosen), then: { action: 'exclude' } });
  }
  // Interleaved, so that a budget that ends the scan early has tried each kind of rule.
  for (let i = 0; i < Math.max(includes.length, windows.length, excludes.length); i++)
    for (const kind of [includes, excludes, windows]) if (i < kind.length) out.push(kind[i]);
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = JSON.stringify(p);
    return !seen.has(key) && !!seen.add(key);
  });
}

/**
 * Proposes playbook rules from the contrast of the current rules' mistakes, scores each on the
 * training cases (macro F1 with the rule appended), keeps those that help, then combines them
 * greedily while training macro F1 keeps rising and no training case loses more than
 * `maxCaseLoss` (or `trade.maxCaseLoss`, for a rule that gains far more than it costs). Never
 * runs more than `maxEvaluations` rule sets.
 *
 * Evaluations are incremental (`RuleSetScorer`: features and the heuristic once per log, one rule
 * applied per candidate on the remembered selection), a few milliseconds each on the bundled
 * logs; the search still yields to the event loop before each, so a service running it keeps its
 * timers and I/O (lease renewals, Kafka heartbeats, health checks) going.
 */
export async function searchTriageRules(
  train: readonly LabelledCase[],
  current: readonly PlaybookRule[],
  options: Partial<SearchOptions> = {},
): Promise<TriageSearch> {
  const opts: SearchOptions = {
    ...DEFAULT_SEARCH,
    ...options,
    trade: { ...DEFAULT_SEARCH.trade, ...options.trade },
    contrast: { ...DEFAULT_SEARCH.contrast, ...options.contrast },
  };
  const scorer = new RuleSetScorer(train);
  let evaluations = 0;
  const score = async (rules: readonly PlaybookRule[]) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    evaluations++;
    const scored = scorer.score(rules);
    await opts.onProgress?.(evaluations, opts.maxEvaluations);
    return scored;
  };
  const contrast = contrastLines(train, current, opts.contrast, scorer);
  const base = await score(current);
  const candidates: TriageCandidate[] = [];
  const tried = new Set<string>();
  let proposed = 0;
  const consider = async (p: Omit<PlaybookRule, 'entryId' | 'title'>) => {
    const key = JSON.stringify(p);
    if (tried.has(key)) return;
    tried.add(key);
    const rule: PlaybookRule = {
      entryId: `${opts.idPrefix}-${++proposed}`,
      title: describeRule(p),
      ...p,
    };
    const after = await score([...current, rule]);
    if (after.macroF1 - base.macroF1 <= opts.minGain) return;
    const deltas = caseDeltas(base, after);
    candidates.push({
      rule,
      before: base.macroF1,
      after: after.macroF1,
      gained: deltas.filter((d) => d.delta > 0),
      lost: deltas.filter((d) => d.delta < 0).reverse(),
    });
  };
  const n = Math.max(1, train.length);
  const rank = (c: TriageCandidate) =>
    c.after - (opts.lossWeight * c.lost.reduce((sum, d) => sum - d.delta, 0)) / n;
  // Most of the budget scans the proposals; a slice tunes the thresholds of the best; a fifth is
  // kept for combining what they find.
  for (const p of proposals(contrast)) {
    if (evaluations >= Math.ceil(opts.maxEvaluations * 0.65)) break;
    await consider(p);
  }
  const best = [...candidates].sort((a, b) => rank(b) - rank(a)).slice(0, 6);
  for (const c of best)
    for (const when of retuned(c.rule.when)) {
      if (evaluations >= Math.ceil(opts.maxEvaluations * 0.8)) break;
      await consider({ when, then: c.rule.then });
    }
  candidates.sort((a, b) => rank(b) - rank(a));
  // Rules with the same effect on every training case are one rule for the combination: try
  // the first (best ranked, simplest proposed) only, so the budget goes to different rules.
  const effects = new Set<string>();
  const distinct = candidates.filter((c) => {
    const key = [...c.gained, ...c.lost]
      .map((d) => `${d.caseId}:${d.delta.toFixed(4)}`)
      .sort()
      .join(',');
    return !effects.has(key) && !!effects.add(key);
  });
  const selected: TriageCandidate[] = [];
  let combined = base;
  for (const c of distinct) {
    if (evaluations >= opts.maxEvaluations) break;
    const rules = [...current, ...selected.map((s) => s.rule), c.rule];
    const after = await score(rules);
    if (after.macroF1 - combined.macroF1 <= opts.minGain) continue;
    const deltas = caseDeltas(combined, after);
    if (!combinationAccepts(deltas, opts)) continue;
    selected.push({
      rule: c.rule,
      before: combined.macroF1,
      after: after.macroF1,
      gained: deltas.filter((d) => d.delta > 0),
      lost: deltas.filter((d) => d.delta < 0).reverse(),
    });
    combined = after;
  }
  return {
    baseline: base.macroF1,
    candidates,
    selected,
    distinct,
    final: combined.macroF1,
    evaluations,
    contrast,
  };
}

/** Whether the combination may take a rule with these effects on the training cases. */
export function combinationAccepts(deltas: readonly CaseDelta[], opts: SearchOptions): boolean {
  const worst = Math.max(0, ...deltas.map((d) => -d.delta));
  return worst <= opts.maxCaseLoss || tradeOf(deltas, opts.trade).pays;
}

/**
 * What a dream offers the validation gate, in order, for it to promote the first that passes:
 * the greedy combination; then, when it has several rules, the combination without each one in
 * turn (the rule a held-out log does not take is dropped, the others kept; the rule with the
 * smallest training gain is left out first); then the best single rules of distinct effect.
 * Choosing among them reads the validation split only, never the test split.
 */
export function searchAlternatives(
  search: Pick<TriageSearch, 'selected' | 'distinct'>,
  singles = 3,
): TriageCandidate[][] {
  const out: TriageCandidate[][] = [];
  const seen = new Set<string>();
  const push = (alt: TriageCandidate[]) => {
    const key = alt.map((c) => c.rule.entryId).join(',');
    if (alt.length && !seen.has(key) && seen.add(key)) out.push(alt);
  };
  const combo = search.selected;
  push(combo);
  if (combo.length > 1) {
    const byGain = combo
      .map((c, i) => ({ i, gain: c.after - c.before }))
      .sort((a, b) => a.gain - b.gain);
    for (const { i } of byGain) push(combo.filter((_, j) => j !== i));
  }
  for (const c of search.distinct.slice(0, singles)) push([c]);
  return out;
}
