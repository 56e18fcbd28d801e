import type { RoleRules, Scenario } from '@reverie/lunar-lander';
import { describeAction, type Condition, type PlaybookRule } from '@reverie/playbooks-domain';
import { SimulationBudget, withRules } from './flight';
import { actionGrid, type RoleAction, type RoleName } from './rule-space';

export interface LocaliseOptions {
  /** The rules the team flew with (the counterfactuals add one rule to them). Default none. */
  current?: RoleRules;
  /** Flights allowed in all, the original one included. Default 300. */
  maxSimulations?: number;
  /** Count flights against this budget instead (its max applies; read `spent` afterwards). */
  budget?: SimulationBudget;
  /** Distance between the coarse probes, steps. Default 5. */
  stride?: number;
  /** Most alternatives tried at one step. Default 40. */
  alternativesPerStep?: number;
  /** The alternatives to draw from. Default `actionGrid()`, the whole general space. */
  alternatives?: readonly RoleAction[];
}

export interface Localisation {
  scenarioId: string;
  /** How the original flight ended: the touchdown verdict or the flight status. */
  failure: string;
  /** The last decision step from which an alternative still landed safely. */
  step: number;
  /** The role of the alternative that landed. */
  role: RoleName;
  /** Alternatives flown from `step`, and how many of them landed safely. */
  alternativesTried: number;
  successes: number;
  /**
   * Successes / alternatives tried at `step`, halved when the example alternative no longer
   * lands when started one step earlier (a success isolated in the step is fragile).
   */
  confidence: number;
  /** A rule that, added to the current rules, lands the scenario (active from `step`). */
  exampleAlternative: PlaybookRule;
  /** Flights spent, the original one included. */
  simulations: number;
}

/** `alt` as a rule active only from decision step `k` on. */
export function alternativeFrom(alt: RoleAction, k: number): PlaybookRule {
  const from: Condition = { feature: 'step', op: 'gte', value: k };
  return {
    entryId: `counterfactual-${alt.role}-from-${k}`,
    title: `${alt.role}: ${describeAction(alt.then)} from step ${k}`,
    when: from,
    then: structuredClone(alt.then),
  };
}

/** A fixed pseudo-random order (mulberry32, seed 1969), so alternatives of every kind mix. */
function shuffled<T>(items: readonly T[]): T[] {
  let s = 1969;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Finds where a failed landing went wrong, by counterfactual replay: the last decision step `k`
 * from which the same team plus ONE extra rule lands safely. Each alternative's rule carries
 * `step >= k` in its `when`, so no rule fires before step k and the flight is identical up to k
 * (the simulator and the team are deterministic): what differs is only what the team does from k
 * on, which makes each flight a counterfactual from that step.
 *
 * Search: probes k from the last step backwards every `stride` steps, trying up to
 * `alternativesPerStep` alternatives at each (a window moving through a fixed shuffle of the
 * space, so successive probes try different ones) and stopping at the first that lands; then
 * refines between that probe and the failed one after it (latest first), and finally flies more
 * alternatives at the step found to measure how many land. Stops when `maxSimulations` flights
 * are spent. Null when the original lands safely or nothing tried within the budget lands it.
 */
export async function localiseFailure(
  scenario: Scenario,
  options: LocaliseOptions = {},
): Promise<Localisation | null> {
  const current = options.current ?? {};
  const stride = Math.max(1, options.stride ?? 5);
  const perStep = Math.max(1, options.alternativesPerStep ?? 40);
  const pool = shuffled(options.alternatives ?? actionGrid());
  const budget = options.budget ?? new SimulationBudget(options.maxSimulations ?? 300);
  const original = await budget.fly(scenario, current);
  if (!original || original.result.safe) return null;

  let cursor = 0;
  const tried = new Map<number, { alt: RoleAction; safe: boolean }[]>();
  /** Flies `alt` from step k; true when it lands safely, null when the budget is spent. */
  const attempt = async (alt: RoleAction, k: number): Promise<boolean | null> => {
    const run = await budget.fly(
      scenario,
      withRules(current, [{ role: alt.role, rule: alternativeFrom(alt, k) }]),
    );
    if (!run) return null;
    const list = tried.get(k) ?? [];
    list.push({ alt, safe: run.result.safe });
    tried.set(k, list);
    return run.result.safe;
  };
  /** Tries up to `limit` alternatives at k (hint first), stopping at the first that lands. */
  const probe = async (k: number, limit: number, hint?: RoleAction): Promise<RoleAction | null> => {
    const queue = hint ? [hint] : [];
    for (let i = 0; i < Math.min(limit, pool.length); i++)
      queue.push(pool[(cursor + i) % pool.length]);
    cursor = (cursor + limit) % pool.length;
    for (const alt of queue) {
      const safe = await attempt(alt, k);
      if (safe === null) return null;
      if (safe) return alt;
    }
    return null;
  };

  const last = Math.max(0, original.result.steps - 1);
  let found: { k: number; alt: RoleAction } | null = null;
  for (let k = last; k >= 0 && budget.left > 0 && !found; k -= stride) {
    const alt = await probe(k, perStep);
    if (alt) found = { k, alt };
  }
  if (!found) return null;
  for (let k = Math.min(found.k + stride - 1, last); k > found.k && budget.left > 0; k--) {
    const alt = await probe(k, Math.ceil(perStep / 2), found.alt);
    if (alt) {
      found = { k, alt };
      break;
    }
  }

  const k = found.k;
  const flown = () => tried.get(k) ?? [];
  for (const alt of pool) {
    if (flown().length >= perStep || budget.left === 0) break;
    if (flown().some((t) => t.alt === alt)) continue;
    await attempt(alt, k);
  }
  const earlierToo = k > 0 && budget.left > 0 ? await attempt(found.alt, k - 1) : true;
  const successes = flown().filter((t) => t.safe).length;
  const share = successes / flown().length;
  return {
    scenarioId: scenario.id,
    failure: original.result.touchdown?.verdict ?? original.result.status,
    step: k,
    role: found.alt.role,
    alternativesTried: flown().length,
    successes,
    confidence: earlierToo === false ? share / 2 : share,
    exampleAlternative: alternativeFrom(found.alt, k),
    simulations: budget.spent,
  };
}
