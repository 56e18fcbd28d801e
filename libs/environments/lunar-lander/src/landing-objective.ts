import type { LandingResult } from './team/landing-episode';

/** How one landing fared against the operator's outcome definition. */
export interface LandingJudgement {
  satisfied: boolean;
  /** Ids of the criteria it failed (empty when satisfied). */
  failed: string[];
}

/** Scores a landing against the agent's rubric; the pipeline passes one built from it. */
export type LandingJudge = (result: LandingResult) => LandingJudgement;

/**
 * A lunar rubric in numbers, for sandbox searches without the agent's own: a safe touchdown
 * within `maxDistanceToSite` of the planned site and within `maxFuelOverLimit` times the
 * vertical fuel-optimal limit. (The demo's examples/outcomes/lunar-landing.json asks for 2x.)
 */
export interface LandingRubric {
  maxDistanceToSite: number;
  maxFuelOverLimit: number;
}

export const DEFAULT_LANDING_RUBRIC: LandingRubric = {
  maxDistanceToSite: 50,
  maxFuelOverLimit: 2.5,
};

/** A judge for a rubric of safety, distance to the site and fuel allowance. */
export function rubricJudge(rubric: LandingRubric = DEFAULT_LANDING_RUBRIC): LandingJudge {
  return (r) => {
    const failed: string[] = [];
    if (!r.safe) failed.push('safe');
    const distance = r.touchdown?.distanceToTarget ?? Infinity;
    if (distance > rubric.maxDistanceToSite) failed.push('near-site');
    const fuel = r.fuelLimit ? r.fuelUsed / r.fuelLimit : Infinity;
    if (!r.safe || fuel > rubric.maxFuelOverLimit) failed.push('frugal');
    return { satisfied: failed.length === 0, failed };
  };
}

/** Per-criterion numbers over a set of landings, the axes the search's Pareto front keeps. */
export interface ObjectiveScore {
  flights: number;
  /** Landings the judge calls satisfied. */
  satisfied: number;
  safe: number;
  /** Median fuel used / vertical limit over satisfied landings (null: none). */
  medianFuelOverLimit: number | null;
  /** Mean distance to the planned site over safe landings, m (null: none). */
  meanDistance: number | null;
  /**
   * Median fuel used / vertical limit over safe landings (null: none). Like the touchdown speed it
   * counts only while neither of two candidates satisfies anything: where every landing burns more
   * than the rubric allows, it is the one number that says which candidate came closer.
   */
  medianFuelOverLimitSafe: number | null;
  /**
   * Mean vertical speed at touchdown over every touchdown, crashes included, m/s (null: none):
   * the one criterion that still says which of two failing candidates came closer.
   */
  meanTouchdownSpeed: number | null;
}

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs: number[]): number | null =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;

export function scoreObjective(
  results: readonly LandingResult[],
  judge: LandingJudge,
): ObjectiveScore {
  const satisfied = results.filter((r) => judge(r).satisfied);
  const safe = results.filter((r) => r.safe && r.touchdown);
  return {
    flights: results.length,
    satisfied: satisfied.length,
    safe: safe.length,
    medianFuelOverLimit: median(
      satisfied.filter((r) => r.fuelLimit).map((r) => r.fuelUsed / (r.fuelLimit as number)),
    ),
    meanDistance: mean(safe.map((r) => r.touchdown!.distanceToTarget)),
    medianFuelOverLimitSafe: median(
      safe.filter((r) => r.fuelLimit).map((r) => r.fuelUsed / (r.fuelLimit as number)),
    ),
    meanTouchdownSpeed: mean(
      results.flatMap((r) => (r.touchdown ? [Math.abs(r.touchdown.verticalSpeed)] : [])),
    ),
  };
}

/**
 * The criteria as numbers to maximise, in a fixed order (missing values are the worst). The last
 * `FAILING_ONLY` of them say only which of two failing candidates came closer (see `dominates`).
 */
export function objectiveVector(s: ObjectiveScore): number[] {
  return [
    s.satisfied,
    -(s.medianFuelOverLimit ?? 1e9),
    -(s.meanDistance ?? 1e9),
    -(s.medianFuelOverLimitSafe ?? 1e9),
    -(s.meanTouchdownSpeed ?? 1e9),
  ];
}

/** How many of `objectiveVector`'s last entries count only while neither candidate satisfies anything. */
const FAILING_ONLY = 2;

/**
 * `a` dominates `b`: no worse on every criterion (within a small tolerance) and better on one.
 * The fuel of safe landings and the touchdown speed count only while neither satisfies anything,
 * to say which failure came closer. Where every safe landing burns more than the rubric allows
 * (a site behind the craft, say), the fuel of satisfied landings is missing for every candidate,
 * and without the safe landings' fuel a search could not tell 4x the limit from 2.1x. Once
 * something satisfies they stop counting: the touchdown speed is not a rubric criterion (any speed
 * within the gear's limit is a soft landing), and a law that lands every flight at 1.3x the fuel
 * instead of 2x, touching down a little faster within the limit, must still dominate. The
 * distance tolerance (2 m) is small against any rubric's allowance of tens of metres.
 */
export function dominates(a: ObjectiveScore, b: ObjectiveScore): boolean {
  const va = objectiveVector(a);
  const vb = objectiveVector(b);
  const tol = [0, 1e-3, 2, 1e-3, 0.01];
  const criteria = a.satisfied === 0 && b.satisfied === 0 ? va.length : va.length - FAILING_ONLY;
  let better = false;
  for (let i = 0; i < criteria; i++) {
    if (va[i] < vb[i] - tol[i]) return false;
    if (va[i] > vb[i] + tol[i]) better = true;
  }
  return better;
}

/** Lexicographic rank for choosing one: rubric first, then fuel, distance, touchdown speed. */
export function compareObjective(a: ObjectiveScore, b: ObjectiveScore): number {
  const va = objectiveVector(a);
  const vb = objectiveVector(b);
  for (let i = 0; i < va.length; i++) if (va[i] !== vb[i]) return vb[i] - va[i];
  return 0;
}

/**
 * How many satisfied landings a candidate may give up for a clearly leaner one: the larger of one
 * flight or 2 % of the flights. A single landing of a training set is within the noise of which
 * scenarios happened to be drawn; more than 2 % is a real loss the rubric's own count would see.
 */
export function satisfiedTolerance(flights: number): number {
  if (!Number.isFinite(flights) || flights < 0) throw new Error(`flights must be >= 0: ${flights}`);
  return Math.max(1, Math.floor(0.02 * flights));
}

/** Median fuels within this fraction of each other are the same efficiency (not "clearly" leaner). */
export const FUEL_TOLERANCE = 0.05;

/**
 * The candidate to choose among `scores` (the index), criterion-aware rather than lexicographic:
 * the candidates within `satisfiedTolerance` of the most satisfied landings are all in the
 * running, and among them only those within `FUEL_TOLERANCE` of the leanest median fuel; of those,
 * the lexicographic best (most satisfied, then fuel, distance to the site, touchdown speed). So a
 * law that lands 42 of 43 at 1.06x the vertical limit beats a tweak landing 43 at 1.74x, while a
 * candidate with two fewer of 43, or only 3 % leaner, does not displace the more satisfied one.
 * The choice stays on the training scores; the validation gate's no-regression rule still decides
 * whether the chosen candidate is promoted.
 */
export function bestByCriteria(scores: readonly ObjectiveScore[]): number {
  if (!scores.length) throw new Error('bestByCriteria needs at least one score');
  const flights = Math.max(...scores.map((s) => s.flights));
  const most = Math.max(...scores.map((s) => s.satisfied));
  const fuel = (s: ObjectiveScore) => s.medianFuelOverLimit ?? Infinity;
  const running = scores
    .map((_, i) => i)
    .filter((i) => scores[i].satisfied >= most - satisfiedTolerance(flights));
  const leanest = Math.min(...running.map((i) => fuel(scores[i])));
  const lean = running.filter(
    (i) => fuel(scores[i]) <= leanest * (1 + FUEL_TOLERANCE) || fuel(scores[i]) === leanest,
  );
  return lean.reduce((best, i) => (compareObjective(scores[i], scores[best]) < 0 ? i : best));
}

/**
 * Orders candidates for choosing (the first is tried first): `bestByCriteria` repeatedly, each
 * time among those not yet placed. Deterministic; ties keep the input order.
 */
export function rankByCriteria<T>(items: readonly T[], scoreOf: (item: T) => ObjectiveScore): T[] {
  const rest = [...items];
  const ranked: T[] = [];
  while (rest.length) ranked.push(rest.splice(bestByCriteria(rest.map(scoreOf)), 1)[0]);
  return ranked;
}
