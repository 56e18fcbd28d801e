import type { Condition, FeatureTest, PlaybookRule } from '@reverie/playbooks-domain';
import {
  contrastLines,
  DEFAULT_CONTRAST,
  type Contrast,
  type ContrastOptions,
  type ContrastTest,
} from './contrast';
import { describeRule } from './entries';
import { caseDeltas, RuleSetScorer, type CaseDelta, type LabelledCase } from './evaluate';

export interface SearchOptions {
  /** Rule-set evaluations (each runs every training case) the search may spend, baseline included. */
  maxEvaluations: number;
  /** A candidate is kept, and a combination grows, only if training macro F1 rises by more. */
  minGain: number;
  /** The greedy combination skips a rule that costs any training case more F1 than this. */
  maxCaseLoss: number;
  contrast: ContrastOptions;
  /** Prefix of the generated entry ids. */
  idPrefix: string;
}

export const DEFAULT_SEARCH: SearchOptions = {
  maxEvaluations: 300,
  minGain: 0.002,
  maxCaseLoss: 0.05,
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
  for (const t of include) {
    if (t.feature === 'inPassLog') continue;
    out.push({ when: all(test(t), fresh, unselected), then: { action: 'include' } });
    for (const b of booleans.slice(0, 3))
      if (b.feature !== t.feature && b.feature !== 'inPassLog')
        out.push({ when: all(test(t), test(b), fresh, unselected), then: { action: 'include' } });
    // A context window (a distance threshold) may take lines pass.log also has: the boilerplate
    // a build prints around its new error is the same in every build, yet labelled with it.
    if (t.op === 'lte' && t.feature !== 'text')
      out.push({ when: all(test(t), unselected), then: { action: 'include' } });
  }
  // Context windows after and before the patterns that start what was missed.
  for (const t of include.filter((x) => x.feature === 'text').slice(0, 6)) {
    for (const lines of [3, 10])
      out.push({
        when: all(test(t), fresh),
        then: { action: 'include_following', params: { lines } },
      });
    out.push({
      when: all(test(t), fresh),
      then: { action: 'include_preceding', params: { lines: 2 } },
    });
  }
  for (const t of exclude) {
    if (t.feature === 'selected') continue;
    out.push({ when: all(test(t), chosen), then: { action: 'exclude' } });
  }
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
 * `maxCaseLoss`. Never runs more than `maxEvaluations` rule sets.
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
  const opts = { ...DEFAULT_SEARCH, ...options };
  const scorer = new RuleSetScorer(train);
  let evaluations = 0;
  const score = async (rules: readonly PlaybookRule[]) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    evaluations++;
    return scorer.score(rules);
  };
  const contrast = contrastLines(train, current, opts.contrast, scorer);
  const base = await score(current);
  const candidates: TriageCandidate[] = [];
  for (const [i, p] of proposals(contrast).entries()) {
    // A quarter of the budget is kept for combining what the scan finds.
    if (evaluations >= Math.ceil(opts.maxEvaluations * 0.75)) break;
    const rule: PlaybookRule = {
      entryId: `${opts.idPrefix}-${i + 1}`,
      title: describeRule(p),
      ...p,
    };
    const after = await score([...current, rule]);
    if (after.macroF1 - base.macroF1 <= opts.minGain) continue;
    const deltas = caseDeltas(base, after);
    candidates.push({
      rule,
      before: base.macroF1,
      after: after.macroF1,
      gained: deltas.filter((d) => d.delta > 0),
      lost: deltas.filter((d) => d.delta < 0).reverse(),
    });
  }
  candidates.sort((a, b) => b.after - a.after);

  const selected: TriageCandidate[] = [];
  let best = base;
  for (const c of candidates) {
    if (evaluations >= opts.maxEvaluations) break;
    const rules = [...current, ...selected.map((s) => s.rule), c.rule];
    const after = await score(rules);
    if (after.macroF1 - best.macroF1 <= opts.minGain) continue;
    const deltas = caseDeltas(best, after);
    if (deltas.some((d) => -d.delta > opts.maxCaseLoss)) continue;
    selected.push({
      rule: c.rule,
      before: best.macroF1,
      after: after.macroF1,
      gained: deltas.filter((d) => d.delta > 0),
      lost: deltas.filter((d) => d.delta < 0).reverse(),
    });
    best = after;
  }
  return {
    baseline: base.macroF1,
    candidates,
    selected,
    final: best.macroF1,
    evaluations,
    contrast,
  };
}
