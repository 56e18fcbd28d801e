import type { PlaybookRule } from '@reverie/playbooks-domain';
import { caseDeltas, scoreRuleSet, tradeOf, type CaseDelta, type LabelledCase } from './evaluate';

export interface ValidationOptions {
  /** Held-out macro F1 must rise by at least this much. */
  margin: number;
  /** No held-out case may lose more than this much F1... */
  tolerance: number;
  /**
   * ...unless no case loses more than `maxCaseLoss` and the F1 the candidate gains the held-out
   * cases (summed) is at least `ratio` times what it costs them. Off unless set.
   */
  trade?: { ratio: number; maxCaseLoss: number };
}

/**
 * The trade the triage gate allows: a held-out log may lose up to 0.2 F1 when the others gain ten
 * times what is lost between them.
 */
export const TRIAGE_TRADE = { ratio: 10, maxCaseLoss: 0.2 } as const;

/** As the triage dreamer's gate (`taskScoreTolerance` 0.05, `taskScoreTrade` `TRIAGE_TRADE`). */
export const DEFAULT_VALIDATION: ValidationOptions = {
  margin: 0.01,
  tolerance: 0.05,
  trade: TRIAGE_TRADE,
};

export interface Validation {
  promote: boolean;
  /** Held-out macro F1 with the current rules. */
  before: number;
  /** Held-out macro F1 with the current rules followed by the candidate rules. */
  after: number;
  /** Held-out cases that lost F1 (any amount), worst first. */
  regressions: CaseDelta[];
  /** Why the candidate is or is not promoted, in words. */
  reason: string;
}

/**
 * Judges candidate rules (appended after `current`) on cases the search never saw: promote only
 * when held-out macro F1 rises by at least `margin` and no held-out case loses more than
 * `tolerance` F1, unless none loses more than `trade.maxCaseLoss` and the cases gain
 * `trade.ratio` times what they lose. A rule set that helps on average but breaks one kind of log
 * is refused.
 */
export function validateTriageRules(
  heldOut: readonly LabelledCase[],
  current: readonly PlaybookRule[],
  candidate: readonly PlaybookRule[],
  options: ValidationOptions = DEFAULT_VALIDATION,
): Validation {
  return compareTriageRuleSets(heldOut, current, [...current, ...candidate], options);
}

/**
 * The same judgement between two complete rule sets (the candidate may also drop or change
 * current rules, as a curated playbook does).
 */
export function compareTriageRuleSets(
  heldOut: readonly LabelledCase[],
  current: readonly PlaybookRule[],
  candidate: readonly PlaybookRule[],
  options: ValidationOptions = DEFAULT_VALIDATION,
): Validation {
  const before = scoreRuleSet(heldOut, current);
  const after = scoreRuleSet(heldOut, candidate);
  const deltas = caseDeltas(before, after);
  const regressions = deltas.filter((d) => d.delta < 0).sort((a, b) => a.delta - b.delta);
  const gain = after.macroF1 - before.macroF1;
  const trade = options.trade;
  const paid = trade && tradeOf(deltas, trade);
  const traded = !!paid && paid.pays;
  const broken = traded ? [] : regressions.filter((d) => -d.delta > options.tolerance);
  const promote = heldOut.length > 0 && gain >= options.margin && broken.length === 0;
  const reason = !heldOut.length
    ? 'no held-out cases to validate on'
    : broken.length
      ? `${broken.map((d) => `${d.caseId} loses ${(-d.delta).toFixed(3)} F1`).join(', ')} (tolerance ${options.tolerance})`
      : gain < options.margin
        ? `held-out macro F1 moves ${gain.toFixed(3)}, less than the margin ${options.margin}`
        : `held-out macro F1 ${before.macroF1.toFixed(3)} -> ${after.macroF1.toFixed(3)}${
            traded && regressions.some((d) => -d.delta > options.tolerance)
              ? ` (cases lose ${paid.lost.toFixed(3)} F1, allowed as they gain ${paid.gained.toFixed(3)}, at least ${trade?.ratio}x that)`
              : ''
          }`;
  return { promote, before: before.macroF1, after: after.macroF1, regressions, reason };
}
