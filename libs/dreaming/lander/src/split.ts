import { splitCases } from '@reverie/ci-log-triage';

/**
 * Scenarios a dream never learns from and validates on, fixed by a hash of their id: the same
 * split in every dream, so a scenario held out once is held out always.
 */
export const LANDER_SPLIT = { heldOutFraction: 0.3, salt: 'reverie/lunar-lander' } as const;

/** Splits scenarios (or anything with a scenario id) into training and held-out. */
export function splitScenarios<T extends { id: string }>(scenarios: readonly T[]) {
  return splitCases(scenarios, LANDER_SPLIT);
}
