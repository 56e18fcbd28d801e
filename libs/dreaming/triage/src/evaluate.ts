import {
  extractWithLineRules,
  scoreAnswer,
  toLineRules,
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

/**
 * Runs the builtin extractor with `rules` (playbook rules, adapted by `toLineRules`) on every case
 * and scores the answers. Throws if a rule cannot run: the reflector only proposes runnable rules.
 */
export function scoreRuleSet(
  cases: readonly LabelledCase[],
  rules: readonly PlaybookRule[],
): RuleSetScore {
  const adapted = toLineRules(rules);
  if (adapted.skipped.length)
    throw new Error(
      `rule ${adapted.skipped[0].entryId} cannot run on ci-log-triage: ${adapted.skipped[0].reason}`,
    );
  const perCase = new Map<string, number>();
  for (const c of cases)
    perCase.set(c.id, scoreAnswer(extractWithLineRules(c, adapted.rules).answer, c.errorRanges).f1);
  const sum = [...perCase.values()].reduce((a, b) => a + b, 0);
  return { macroF1: cases.length ? sum / cases.length : 0, perCase };
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
