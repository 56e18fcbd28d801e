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
  return items.length <= size ? [...items] : inTurnByFamily(items).slice(0, size);
}

/** All of `items`, ordered in turn from each family (each family's items in the order given). */
export function inTurnByFamily<T extends { family?: string }>(items: readonly T[]): T[] {
  const byFamily = new Map<string, T[]>();
  for (const item of items) {
    const family = item.family ?? '';
    const list = byFamily.get(family);
    if (list) list.push(item);
    else byFamily.set(family, [item]);
  }
  const lists = [...byFamily.values()];
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++)
    for (const list of lists) if (i < list.length) out.push(list[i]);
  return out;
}

/**
 * Whether a dream's localise stage should still replay a failure of a family. A replay (shadow
 * takeovers, up to 80 flights, then a one-rule counterfactual, 60 once failures are many) costs
 * up to 140 flights a scenario, and on some families none of them places a failure: when no
 * rule set the sandbox knows mends a flight from any of its steps (a lagging engine under a law
 * that ignores the lag, say). After `minTries` replays of a family with fewer than `minHitShare`
 * of them placed, its further failures fall back to the divergence from a successful flight, and
 * the flights go to the search instead.
 */
export class ReplayRation {
  private readonly tally = new Map<string, { tries: number; placed: number }>();
  private readonly skips = new Map<string, number>();

  constructor(
    private readonly minTries = 4,
    private readonly minHitShare = 0.25,
  ) {}

  /** True while the family's replays still pay; counts a skip otherwise. */
  worthReplaying(family: string | undefined): boolean {
    const key = family ?? '';
    const t = this.tally.get(key);
    const worth = !t || t.tries < this.minTries || t.placed >= this.minHitShare * t.tries;
    if (!worth) this.skips.set(key, (this.skips.get(key) ?? 0) + 1);
    return worth;
  }

  /** One replay of a failure of the family, and whether it placed the failure. */
  record(family: string | undefined, placed: boolean): void {
    const key = family ?? '';
    const t = this.tally.get(key) ?? { tries: 0, placed: 0 };
    this.tally.set(key, { tries: t.tries + 1, placed: t.placed + (placed ? 1 : 0) });
  }

  /** "family: n not replayed after t replay(s) placed p", for each family held back. */
  summary(): string[] {
    return [...this.skips].map(([family, n]) => {
      const t = this.tally.get(family) ?? { tries: 0, placed: 0 };
      return `${family || 'no family'}: ${n} not replayed after ${t.tries} replay(s) placed ${t.placed}`;
    });
  }
}
