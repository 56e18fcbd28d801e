import type { Action, Condition } from './condition.schema';
import { assertValidCondition, evaluate, type Features } from './evaluate-condition';
import type { PlaybookVersion } from './version.schema';

/** One executable rule, with the entry it comes from so a policy can cite it. */
export interface PlaybookRule {
  entryId: string;
  title: string;
  when: Condition;
  then: Action;
}

/** The active entries that carry a rule, in playbook order, as plain JSON. */
export function renderRules(version: Pick<PlaybookVersion, 'entries'>): PlaybookRule[] {
  return version.entries.flatMap((e) =>
    e.status === 'active' && e.rule
      ? [{ entryId: e.id, title: e.title, ...structuredClone(e.rule) }]
      : [],
  );
}

/**
 * The rules whose condition holds for `features`, in order. Every rule is checked first, so a
 * malformed one fails loudly even when an earlier rule already matched.
 */
export function matchingRules<R extends { when: Condition }>(
  rules: readonly R[],
  features: Features,
): R[] {
  rules.forEach((r, i) => assertValidCondition(r.when, `rules[${i}].when`));
  return rules.filter((r) => evaluate(r.when, features));
}
