import type { PlaybookEntry } from './entry.schema';
import type { Delta } from './delta.schema';

export interface RetirementPolicy {
  /** Sessions (helpful + harmful) an entry needs before it is judged at all. */
  minObservations: number;
  /** Retire when harmful / (helpful + harmful) is above this (0..1). */
  maxHarmfulRatio: number;
}

export const DEFAULT_RETIREMENT_POLICY: RetirementPolicy = {
  minObservations: 10,
  maxHarmfulRatio: 0.5,
};

export const observations = (e: Pick<PlaybookEntry, 'helpful' | 'harmful'>) =>
  e.helpful + e.harmful;

/** harmful / (helpful + harmful), or 0 before any observation. */
export function harmfulRatio(e: Pick<PlaybookEntry, 'helpful' | 'harmful'>): number {
  const total = observations(e);
  return total === 0 ? 0 : e.harmful / total;
}

/** Whether a (not yet retired) entry keeps hurting enough, over enough sessions, to retire it. */
export function shouldRetire(
  entry: Pick<PlaybookEntry, 'helpful' | 'harmful' | 'status'>,
  policy: Partial<RetirementPolicy> = {},
): boolean {
  const { minObservations, maxHarmfulRatio } = { ...DEFAULT_RETIREMENT_POLICY, ...policy };
  return (
    entry.status !== 'retired' &&
    observations(entry) >= minObservations &&
    harmfulRatio(entry) > maxHarmfulRatio
  );
}

/** Retire deltas, with the numbers as the reason, for every entry the policy says should go. */
export function retirementDeltas(
  entries: readonly PlaybookEntry[],
  policy: Partial<RetirementPolicy> = {},
): Delta[] {
  return entries
    .filter((e) => shouldRetire(e, policy))
    .map((e) => ({
      kind: 'retire' as const,
      id: e.id,
      reason: `harmful in ${e.harmful} of ${observations(e)} sessions (${Math.round(harmfulRatio(e) * 100)}%)`,
    }));
}
