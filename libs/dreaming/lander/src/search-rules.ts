import { PHASES, type LandingResult, type RoleRules, type Scenario } from '@reverie/lunar-lander';
import { describeRule, type Condition, type PlaybookRule } from '@reverie/playbooks-domain';
import {
  scoreResults,
  SimulationBudget,
  withRules,
  wouldFire,
  type FeatureTrace,
  type FlightScore,
} from './flight';
import {
  actionGrid,
  fallbackThresholds,
  NUMERIC_FEATURES,
  quantile,
  roundNice,
  type RoleAction,
  type RoleName,
} from './rule-space';

export interface SearchOptions {
  /** Flights allowed in all (the baseline flights of the training set included). Default 2000. */
  maxSimulations?: number;
  /** Quantiles of each feature (over the training flights) used as thresholds. Default quartiles. */
  quantiles?: readonly number[];
  /** Also try each threshold test combined with `phase eq <phase>`. Default true. */
  withPhase?: boolean;
  /** How many of the best single rules the greedy combination considers. Default 5. */
  combineTop?: number;
  /** Share of the budget kept for the combination stage. Default 0.15. */
  combineShare?: number;
  /** Told after each flight how many of `maxSimulations` have been flown. */
  onProgress?: (flown: number, max: number) => void | Promise<void>;
}

export interface RoleRule {
  role: RoleName;
  rule: PlaybookRule;
}

/** One rule (or a greedy combination of rules) that beat the current rules on the training set. */
export interface RuleCandidate {
  rules: RoleRule[];
  score: FlightScore;
  /** The current rules' score on the same training scenarios. */
  baseline: FlightScore;
  /** Training scenarios it turned from failed to safe, and from safe to failed. */
  fixed: string[];
  broke: string[];
}

export interface SearchReport {
  /** Best first; a combination of several rules, when one beat the best single rule, leads. */
  candidates: RuleCandidate[];
  baseline: FlightScore;
  /** Flights flown in all (never more than `maxSimulations`). */
  simulations: number;
  /** Candidate rules drawn, and how many of them were flown at least once. */
  drawn: number;
  screened: number;
}

/** Strictly better: more safe landings, or as many with less fuel against the limit. */
export function betterScore(a: FlightScore, b: FlightScore): boolean {
  if (a.safe !== b.safe) return a.safe > b.safe;
  return (a.meanFuelOverLimit ?? Infinity) < (b.meanFuelOverLimit ?? Infinity) - 1e-9;
}

/**
 * Conditions of the general space: each numeric feature of one step (`NUMERIC_FEATURES`) below (`lt`) or
 * above (`gt`) each threshold, the thresholds being quantiles of the values the Commander's
 * rules saw over the training flights (a fixed grid per feature when no flight showed it), each
 * alone and combined with `phase eq <phase>`.
 */
export function conditionSpace(
  traces: readonly FeatureTrace[],
  quantiles: readonly number[] = [0.25, 0.5, 0.75],
  withPhase = true,
): Condition[] {
  const tests: Condition[] = [];
  for (const feature of NUMERIC_FEATURES) {
    const values = traces
      .flatMap((t) => t.commander.map((f) => f[feature]))
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
      .sort((a, b) => a - b);
    const thresholds = values.length
      ? [...new Set(quantiles.map((q) => roundNice(quantile(values, q))))]
      : fallbackThresholds(feature);
    for (const value of thresholds)
      for (const op of ['lt', 'gt'] as const) tests.push({ feature, op, value });
  }
  if (!withPhase) return tests;
  const phases = PHASES.filter((p) => p !== 'abort');
  return [
    ...tests,
    ...tests.flatMap((t) =>
      phases.map((p) => ({ all: [t, { feature: 'phase', op: 'eq', value: p }] }) as Condition),
    ),
  ];
}

/** A fixed pseudo-random permutation of 0..n-1 (mulberry32-like), so every kind gets drawn. */
function permutation(n: number, seed = 2024): number[] {
  let s = seed;
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    const j = ((s >>> 0) % (i + 1)) | 0;
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The simulation reflector: searches the general rule space (every condition of
 * `conditionSpace` × every action of `actionGrid`) for one-rule additions to `current` that land
 * more training scenarios, then combines the best greedily.
 *
 * Each drawn candidate is first checked against the baseline traces: where its condition never
 * holds the flight would be unchanged, so it costs nothing; a candidate that fires on no failed
 * flight is skipped. Otherwise it is screened on one failed flight it fires on (rotating), and
 * only when that lands is it flown on every other flight it fires on. Candidates are drawn in a
 * fixed shuffled order until the budget (less the combination's share) is spent. Safety is the
 * goal: a rule that only saves fuel is never screened.
 */
export async function searchRules(
  train: readonly Scenario[],
  current: RoleRules,
  options: SearchOptions = {},
): Promise<SearchReport> {
  const budget = new SimulationBudget(options.maxSimulations ?? 2000, options.onProgress);
  const base: { result: LandingResult; trace: FeatureTrace }[] = [];
  for (const s of train) {
    const run = await budget.fly(s, current);
    if (!run)
      return {
        candidates: [],
        baseline: scoreResults(base.map((b) => b.result)),
        simulations: budget.spent,
        drawn: 0,
        screened: 0,
      };
    base.push(run);
  }
  const baseline = scoreResults(base.map((b) => b.result));
  const failed = base.flatMap((b, i) => (b.result.safe ? [] : [i]));
  const conditions = conditionSpace(
    base.map((b) => b.trace),
    options.quantiles,
    options.withPhase ?? true,
  );
  const actions = actionGrid();
  const reserve = Math.floor(budget.max * (options.combineShare ?? 0.15));
  const firing = new Map<string, number[]>();
  const firesOn = (c: number, role: RoleName) => {
    const key = `${c}.${role}`;
    let hit = firing.get(key);
    if (!hit) {
      hit = base.flatMap((b, i) => (wouldFire({ when: conditions[c] }, role, b.trace) ? [i] : []));
      firing.set(key, hit);
    }
    return hit;
  };

  /** Flies `rules` on the flights they fire on; the others keep their baseline result. */
  const evaluateOn = async (
    rules: RoleRule[],
    flights: readonly number[],
    known = new Map<number, LandingResult>(),
  ) => {
    const results = base.map((b) => b.result);
    for (const i of flights) {
      const r = known.get(i) ?? (await budget.fly(train[i], withRules(current, rules)))?.result;
      if (!r) return null;
      results[i] = r;
    }
    const fixed = train.filter((_, i) => !base[i].result.safe && results[i].safe).map((s) => s.id);
    const broke = train.filter((_, i) => base[i].result.safe && !results[i].safe).map((s) => s.id);
    return { rules, score: scoreResults(results), baseline, fixed, broke } satisfies RuleCandidate;
  };

  const winners: RuleCandidate[] = [];
  const order = permutation(conditions.length * actions.length);
  let drawn = 0;
  let screened = 0;
  for (const n of order) {
    if (!failed.length || budget.left <= reserve) break;
    drawn++;
    const c = Math.floor(n / actions.length);
    const act: RoleAction = actions[n % actions.length];
    const fires = firesOn(c, act.role);
    const firedFailures = fires.filter((i) => failed.includes(i));
    if (!firedFailures.length) continue;
    const rule: PlaybookRule = {
      entryId: `dream.${act.role}.${c}.${n % actions.length}`,
      title: '',
      when: structuredClone(conditions[c]),
      then: structuredClone(act.then),
    };
    rule.title = describeRule(rule).slice(0, 200);
    const rules = [{ role: act.role, rule }];
    screened++;
    const first = firedFailures[screened % firedFailures.length];
    const screen = await budget.fly(train[first], withRules(current, rules));
    if (!screen?.result.safe) continue;
    const cand = await evaluateOn(rules, fires, new Map([[first, screen.result]]));
    if (cand && betterScore(cand.score, baseline)) winners.push(cand);
  }

  const rank = (a: RuleCandidate, b: RuleCandidate) =>
    betterScore(a.score, b.score)
      ? -1
      : betterScore(b.score, a.score)
        ? 1
        : a.broke.length - b.broke.length;
  winners.sort(rank);
  const top = winners.slice(0, Math.max(1, options.combineTop ?? 5));
  let combo = top[0];
  for (const next of top.slice(1)) {
    if (!combo || budget.left === 0) break;
    const rules = [...combo.rules, ...next.rules];
    const fires = base.flatMap((b, i) =>
      rules.some((r) => wouldFire(r.rule, r.role, b.trace)) ? [i] : [],
    );
    if (fires.length > budget.left) break;
    const cand = await evaluateOn(rules, fires);
    if (cand && betterScore(cand.score, combo.score)) combo = cand;
  }
  const candidates = combo && combo.rules.length > 1 ? [combo, ...winners] : winners;
  return { candidates, baseline, simulations: budget.spent, drawn, screened };
}
