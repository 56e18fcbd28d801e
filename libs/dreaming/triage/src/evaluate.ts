import {
  applyLineRule,
  computeLineFeatures,
  heuristicSelection,
  logKind,
  toLineRules,
  type LineFeatures,
  type LineRule,
  type TriageCase,
} from '@reverie/ci-log-triage';
import type { PlaybookRule } from '@reverie/playbooks-domain';

/** What the reflector needs of a labelled case: the logs and the graded `E` lines. */
export type LabelledCase = Pick<TriageCase, 'id' | 'failLines' | 'passLines' | 'errorRanges'>;

/** Macro F1 of a rule set over cases, and each case's F1 by id. */
export interface RuleSetScore {
  macroF1: number;
  perCase: Map<string, number>;
}

/** How one case's F1 moved between two rule sets. */
export interface CaseDelta {
  caseId: string;
  before: number;
  after: number;
  delta: number;
}

/** A case with everything that does not depend on the rules computed once. */
export interface PreparedCase {
  id: string;
  features: LineFeatures[];
  /** `labelled[n]` is 1 when line n (1-based) is an `E` line. */
  labelled: Uint8Array;
  labelCount: number;
  /** The day-one heuristic's selection, before any rule. */
  heuristic: ReadonlySet<number>;
  /** The tool and step that failed (`logKind`): evidence counts in kinds as well as in logs. */
  kind: string;
}

// Features and the heuristic depend only on the logs: a case object keeps them for as long as it
// lives (the dreamer keeps its dataset's cases for the whole dream).
const PREPARED = new WeakMap<LabelledCase, PreparedCase>();

export function prepareCase(c: LabelledCase): PreparedCase {
  let p = PREPARED.get(c);
  if (!p) {
    const features = computeLineFeatures(c);
    const labelled = new Uint8Array(features.length + 2);
    for (const r of c.errorRanges)
      for (let n = r.start; n <= r.end && n <= features.length; n++) labelled[n] = 1;
    const labelCount = labelled.reduce((a, b) => a + b, 0);
    p = {
      id: c.id,
      features,
      labelled,
      labelCount,
      heuristic: heuristicSelection(features).selected,
      kind: logKind(c.failLines),
    };
    PREPARED.set(c, p);
  }
  return p;
}

/** Line F1 of a selection, as `scoreAnswer` computes it for the same lines. */
export function selectionF1(p: PreparedCase, selected: ReadonlySet<number>): number {
  let tp = 0;
  for (const n of selected) tp += p.labelled[n] ?? 0;
  const fp = selected.size - tp;
  const fn = p.labelCount - tp;
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

const RULE_KEYS = new WeakMap<PlaybookRule, { key: string; line: LineRule }>();

function adapt(rule: PlaybookRule): { key: string; line: LineRule } {
  let a = RULE_KEYS.get(rule);
  if (!a) {
    const adapted = toLineRules([rule]);
    if (adapted.skipped.length)
      throw new Error(
        `rule ${adapted.skipped[0].entryId} cannot run on ci-log-triage: ${adapted.skipped[0].reason}`,
      );
    a = { key: JSON.stringify([rule.entryId, rule.when, rule.then]), line: adapted.rules[0] };
    RULE_KEYS.set(rule, a);
  }
  return a;
}

/**
 * Scores rule sets on a fixed list of cases, incrementally: features and the heuristic are
 * computed once per case, and the selections after a prefix of rules are remembered, so scoring
 * `[...current, candidate]` applies one rule per case instead of re-running the extractor. A
 * search scores hundreds of sets that share their prefix.
 */
export class RuleSetScorer {
  readonly cases: PreparedCase[];
  private readonly memo = new Map<string, Set<number>[]>();

  constructor(
    cases: readonly LabelledCase[],
    private readonly memoSize = 16,
  ) {
    this.cases = cases.map(prepareCase);
  }

  /** The selections (line numbers, per case) after the heuristic and `rules` in order. */
  selections(rules: readonly PlaybookRule[]): Set<number>[] {
    const adapted = rules.map(adapt);
    const keys: string[] = [];
    for (const a of adapted) keys.push(keys.length ? `${keys[keys.length - 1]}\n${a.key}` : a.key);
    let k = rules.length;
    let from: readonly ReadonlySet<number>[] | undefined;
    while (k > 0 && !(from = this.memo.get(keys[k - 1]))) k--;
    from ??= this.cases.map((c) => c.heuristic);
    if (k === rules.length) return from.map((s) => new Set(s));
    const states = from.map((s) => new Set(s));
    for (let i = k; i < rules.length; i++) {
      this.cases.forEach((c, j) => applyLineRule(adapted[i].line, c.features, states[j]));
      // The state before the last rule is what sibling candidates share.
      if (i >= rules.length - 2) this.remember(keys[i], states);
    }
    return states.map((s) => new Set(s));
  }

  score(rules: readonly PlaybookRule[]): RuleSetScore {
    const states = this.selections(rules);
    const perCase = new Map<string, number>();
    this.cases.forEach((c, i) => perCase.set(c.id, selectionF1(c, states[i])));
    const sum = [...perCase.values()].reduce((a, b) => a + b, 0);
    return { macroF1: this.cases.length ? sum / this.cases.length : 0, perCase };
  }

  private remember(key: string, states: Set<number>[]): void {
    if (this.memoSize === 0 || this.memo.has(key)) return;
    const oldest = this.memo.keys().next();
    if (this.memo.size >= this.memoSize && !oldest.done) this.memo.delete(oldest.value);
    this.memo.set(
      key,
      states.map((s) => new Set(s)),
    );
  }
}

/**
 * Runs the builtin extractor with `rules` (playbook rules, adapted by `toLineRules`) on every case
 * and scores the answers. Throws if a rule cannot run: the reflector only proposes runnable rules.
 */
export function scoreRuleSet(
  cases: readonly LabelledCase[],
  rules: readonly PlaybookRule[],
): RuleSetScore {
  return new RuleSetScorer(cases, 0).score(rules);
}

/**
 * The F1 the cases gained and lost (summed), and whether that pays for the loss: no case loses
 * more than `maxCaseLoss` and the gain is at least `ratio` times the loss. The trade the search's
 * combination and the validation gate both allow.
 */
export function tradeOf(
  deltas: readonly CaseDelta[],
  trade: { ratio: number; maxCaseLoss: number },
): { gained: number; lost: number; pays: boolean } {
  let gained = 0;
  let lost = 0;
  let worst = 0;
  for (const d of deltas) {
    if (d.delta > 0) gained += d.delta;
    else lost -= d.delta;
    worst = Math.max(worst, -d.delta);
  }
  return { gained, lost, pays: worst <= trade.maxCaseLoss && gained >= trade.ratio * lost };
}

/** Per-case changes from `before` to `after` (cases that did not move are left out). */
export function caseDeltas(before: RuleSetScore, after: RuleSetScore): CaseDelta[] {
  const out: CaseDelta[] = [];
  for (const [caseId, b] of before.perCase) {
    const a = after.perCase.get(caseId) ?? 0;
    if (Math.abs(a - b) > 1e-12) out.push({ caseId, before: b, after: a, delta: a - b });
  }
  return out.sort((x, y) => y.delta - x.delta);
}
