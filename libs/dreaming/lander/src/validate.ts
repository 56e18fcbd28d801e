import type { LandingResult, RoleRules, Scenario } from '@reverie/lunar-lander';
import { flyTraced, scoreResults, type FlightScore } from './flight';

export interface ValidateOptions {
  /**
   * Fewest more held-out scenarios (an absolute count) the candidate must land safely than the
   * current rules. Default 1.
   */
  margin?: number;
  /** Most held-out scenarios that may land with the current rules but not the candidate. Default 0. */
  tolerance?: number;
}

export interface Validation {
  promote: boolean;
  /** Why it is promoted or refused, in one line. */
  reason: string;
  current: FlightScore;
  candidate: FlightScore;
  /** Held-out scenarios safe with the current rules and not with the candidate, and the reverse. */
  regressions: string[];
  improvements: string[];
  margin: number;
  tolerance: number;
  simulations: number;
}

/**
 * Flies the current and the candidate rule sets (each complete: pass `withRules(current, ...)`
 * to test additions) on held-out scenarios the search never saw. Promotes only when the
 * candidate lands at least `margin` more of them safely AND at most `tolerance` of those the
 * current rules land safely fail with the candidate.
 */
export async function validateRules(
  heldOut: readonly Scenario[],
  current: RoleRules,
  candidate: RoleRules,
  options: ValidateOptions = {},
): Promise<Validation> {
  const margin = options.margin ?? 1;
  const tolerance = options.tolerance ?? 0;
  const before: LandingResult[] = [];
  const after: LandingResult[] = [];
  for (const s of heldOut) {
    before.push((await flyTraced(s, current)).result);
    after.push((await flyTraced(s, candidate)).result);
  }
  const regressions = heldOut.filter((_, i) => before[i].safe && !after[i].safe).map((s) => s.id);
  const improvements = heldOut.filter((_, i) => !before[i].safe && after[i].safe).map((s) => s.id);
  const cur = scoreResults(before);
  const cand = scoreResults(after);
  const gain = cand.safe - cur.safe;
  const promote = gain >= margin && regressions.length <= tolerance;
  const reason = promote
    ? `lands ${gain} more of ${heldOut.length} held-out scenarios (margin ${margin}) with ${regressions.length} regression(s) (tolerance ${tolerance})`
    : gain < margin
      ? `lands ${gain} more of ${heldOut.length} held-out scenarios, short of the margin of ${margin}`
      : `${regressions.length} regression(s) exceed the tolerance of ${tolerance}: ${regressions.join(', ')}`;
  return {
    promote,
    reason,
    current: cur,
    candidate: cand,
    regressions,
    improvements,
    margin,
    tolerance,
    simulations: 2 * heldOut.length,
  };
}
