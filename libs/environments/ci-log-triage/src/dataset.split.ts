import { createHash } from 'node:crypto';
import { TriageError } from './errors';

export interface SplitOptions {
  /** Expected share of cases held out for validation, between 0 and 1. */
  heldOutFraction: number;
  /** Changing the salt draws a different split; keep it fixed to compare runs. */
  salt: string;
}

/** The split the platform uses unless told otherwise. */
export const DEFAULT_SPLIT: SplitOptions = { heldOutFraction: 0.3, salt: 'reverie/ci-log-triage' };

/**
 * Splits cases into training and held-out sets by hashing each id with the salt. A case's side
 * depends only on its own id and the options, so the split is the same on every run and machine,
 * does not depend on the order of the cases, and adding a case never moves another. The held-out
 * share is `heldOutFraction` in expectation, not exactly.
 */
export function splitCases<T extends { id: string }>(
  cases: readonly T[],
  options: SplitOptions = DEFAULT_SPLIT,
): { train: T[]; heldOut: T[] } {
  const { heldOutFraction, salt } = options;
  if (!(heldOutFraction >= 0 && heldOutFraction <= 1))
    throw new TriageError(`heldOutFraction must be between 0 and 1, got ${heldOutFraction}`);
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const c of cases) (hashUnit(`${salt}:${c.id}`) < heldOutFraction ? heldOut : train).push(c);
  return { train, heldOut };
}

/** A number in [0, 1) from the first 48 bits of the SHA-256 of `text`. */
export function hashUnit(text: string): number {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return parseInt(hex, 16) / 2 ** 48;
}

/**
 * Each case `n` times, ids suffixed `.r1` ... `.rN` so every copy is distinct (for benchmarks
 * that need more sessions than the dataset has). The copies share their line arrays.
 */
export function repeatCases<T extends { id: string }>(cases: readonly T[], n: number): T[] {
  if (!Number.isInteger(n) || n < 1)
    throw new TriageError(`repeat count must be a positive integer, got ${n}`);
  const out: T[] = [];
  for (let k = 1; k <= n; k++) for (const c of cases) out.push({ ...c, id: `${c.id}.r${k}` });
  return out;
}
