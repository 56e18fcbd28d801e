import { matchingRules, type Rule } from '@reverie/playbooks-domain';
import { callFeatures, errorFeatures } from '@reverie/tool-rules';
import type { ReviewedSession } from './localise';
import { sessionCalls } from './session-calls';

/** Whether the rule's condition holds at some call of the session (before it, or after its error). */
export function ruleMatchesSession(rule: Rule, session: ReviewedSession): boolean {
  const { calls } = sessionCalls(session.events);
  const probe = [{ entryId: 'probe', title: 'probe', ...rule }];
  return calls.some(
    (c, i) =>
      matchingRules(probe, callFeatures(calls, i)).length > 0 ||
      (!c.ok && matchingRules(probe, errorFeatures(calls, i)).length > 0),
  );
}

/** In how many failed and successful sessions the rule's condition matches a call. */
export function matchEvidence(
  rule: Rule,
  sessions: readonly ReviewedSession[],
): { failed: number; succeeded: number; sessionIds: string[] } {
  const matched = sessions.filter((s) => ruleMatchesSession(rule, s));
  return {
    failed: matched.filter((s) => !s.succeeded).length,
    succeeded: matched.filter((s) => s.succeeded).length,
    sessionIds: matched.filter((s) => !s.succeeded).map((s) => s.id),
  };
}

export interface HeldOutCheck {
  accepted: boolean;
  /** Held-out failed sessions the condition matched, of all held-out failed ones. */
  failed: { matched: number; total: number };
  succeeded: { matched: number; total: number };
  reason: string;
}

/** How much more often the condition must match failures than successes (share of each). */
export const MIN_LIFT = 0.05;

/**
 * The offline check of a candidate on held-out past sessions it was not learned from: its
 * condition must pick out failed sessions better than successful ones (the share of failed
 * sessions it matches must exceed the share of successful ones by MIN_LIFT), on at least one
 * held-out failure. Otherwise it is refused, with the counts.
 */
export function checkOnHeldOut(rule: Rule, heldOut: readonly ReviewedSession[]): HeldOutCheck {
  const failedAll = heldOut.filter((s) => !s.succeeded);
  const okAll = heldOut.filter((s) => s.succeeded);
  const ev = matchEvidence(rule, heldOut);
  const failed = { matched: ev.failed, total: failedAll.length };
  const succeeded = { matched: ev.succeeded, total: okAll.length };
  const share = (x: { matched: number; total: number }) => (x.total ? x.matched / x.total : 0);
  const counts = `matches ${failed.matched} of ${failed.total} held-out failed and ${succeeded.matched} of ${succeeded.total} successful session(s)`;
  if (!failed.total)
    return {
      accepted: false,
      failed,
      succeeded,
      reason: `no held-out failed session to check it on (${counts})`,
    };
  if (!failed.matched)
    return {
      accepted: false,
      failed,
      succeeded,
      reason: `its condition matches no held-out failure (${counts})`,
    };
  if (share(failed) <= share(succeeded) + MIN_LIFT)
    return {
      accepted: false,
      failed,
      succeeded,
      reason: `it does not pick out failures better than successes (${counts})`,
    };
  return { accepted: true, failed, succeeded, reason: counts };
}
