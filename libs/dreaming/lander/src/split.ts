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

/**
 * At most `size` of `items`, taken in turn from each family (each family's items in the order
 * given), so a cap never leaves a family out; all of them, as given, when there are no more.
 */
export function takeInTurnByFamily<T extends { family?: string }>(
  items: readonly T[],
  size: number,
): T[] {
  if (items.length <= size) return [...items];
  const byFamily = new Map<string, T[]>();
  for (const item of items) {
    const family = item.family ?? '';
    const list = byFamily.get(family);
    if (list) list.push(item);
    else byFamily.set(family, [item]);
  }
  const lists = [...byFamily.values()];
  const out: T[] = [];
  for (let i = 0; out.length < size; i++)
    for (const list of lists) if (i < list.length && out.length < size) out.push(list[i]);
  return out;
}
