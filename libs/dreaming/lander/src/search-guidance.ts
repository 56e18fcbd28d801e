import {
  LANDER_START_FEATURES,
  type LandingResult,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import type { FeatureTest, PlaybookRule } from '@reverie/playbooks-domain';
import { familyCounts } from '@reverie/dreaming-domain';
import { withRules } from './flight';
import { takeInTurnByFamily } from './split';
import {
  baseGenome,
  GUIDANCE_SPACE,
  genomeRules,
  keyOf,
  normalise,
  valueOf,
  type Genome,
  type GuidanceScope,
} from './guidance-space';
import {
  dominates,
  rankByCriteria,
  rubricJudge,
  satisfiedTolerance,
  scoreObjective,
  type LandingJudge,
  type LandingJudgement,
  type ObjectiveScore,
} from '@reverie/lunar-lander';
import { FlightPool } from './pool/flight-pool';
import type { RoleName } from './rule-space';

export interface GuidanceSearchOptions {
  /** Flights allowed in all, the baseline's included. Default 2000. */
  maxSimulations?: number;
  /** Scores each landing against the agent's rubric. Default `rubricJudge()`. */
  judge?: LandingJudge;
  /**
   * Grades landings in batches instead (for example with the outcomes grader against the agent's
   * outcome definition); takes precedence over `judge`.
   */
  gradeAll?: (results: readonly LandingResult[]) => Promise<LandingJudgement[]>;
  /** Flies the simulations (its size never changes the result). Default: in-process. */
  pool?: FlightPool;
  /** Training scenarios a child is screened on before it is flown on all of them. Default 8. */
  minibatch?: number;
  /** Children drawn per generation: fixed, so results do not depend on the pool size. Default 6. */
  batch?: number;
  /** Seeds the search's random draws. Default 16. */
  seed?: number;
  /**
   * The operator's family tolerance (`promotion.familyTolerance` of the outcome definition): with
   * it, and training scenarios of several families, the front lists first the candidates that
   * lose no family (`losesNoFamily`). Off unless set.
   */
  familyTolerance?: number;
  /** Told after each batch of flights how many of `maxSimulations` have been flown. */
  onProgress?: (flown: number, max: number) => void | Promise<void>;
}

export interface GuidanceCandidate {
  genome: Genome;
  /**
   * The approaches the genome's parameter sets hold for (a test of a start feature), when
   * `scopeToStart` narrowed them; absent: every flight.
   */
  startScope?: FeatureTest;
  rules: { role: RoleName; scope: GuidanceScope; rule: PlaybookRule }[];
  score: ObjectiveScore;
  /** Per training scenario: satisfied by the judge. */
  satisfied: boolean[];
  results: LandingResult[];
}

export interface GuidanceSearchReport {
  /**
   * The Pareto front over the rubric's criteria on the training set, in the order to try it
   * (`rankByCriteria`: within a satisfied-count tolerance, the clearly leaner first), with the
   * best three also held to the approaches where they help (`scopeToStart`) where that gains. With
   * a `familyTolerance` and training scenarios of several families: first the front of the
   * candidates that lose no family (`losesNoFamily`), then the rest of the overall front.
   */
  front: GuidanceCandidate[];
  baseline: GuidanceCandidate;
  /** What the current rules set on every flight (`baseGenome`): the values children moved from. */
  base: Genome;
  simulations: number;
  generations: number;
  /** Children screened on a minibatch, and how many were flown on the whole training set. */
  screened: number;
  evaluated: number;
  /** How close the search's flights came to the outcome definition (`SearchReach`). */
  reach: SearchReach;
}

/**
 * Over every flight the search flew: how many satisfied the outcome definition, and how many
 * failed one criterion only, by criterion. Where none satisfied, the criterion most flights
 * missed alone is what stands between these scenarios and the definition (a fuel allowance a
 * long braking approach cannot keep, say), whatever the guidance.
 */
export interface SearchReach {
  flights: number;
  satisfied: number;
  onlyFailed: Record<string, number>;
}

/**
 * What a dream says when no flight of the search satisfied the outcome definition (null when
 * one did): the criterion most flights missed alone, and how many.
 */
export function outOfReachNote(reach: SearchReach): string | null {
  if (reach.satisfied > 0 || reach.flights === 0) return null;
  const [worst] = Object.entries(reach.onlyFailed).sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  );
  const head = `out of reach: none of the guidance search's ${reach.flights} flight(s) satisfied the outcome definition`;
  return worst
    ? `${head}; ${worst[1]} met every criterion but "${worst[0]}": the definition may ask for more than these scenarios allow (an operator's outcome definition sets its own bound)`
    : `${head}, and none missed it by one criterion alone`;
}

/** mulberry32: a small seeded generator, so the same seed draws the same children. */
function rng(seed: number) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Reflection: which way each parameter should move to fix a kind of failure (+1 up, -1 down),
 * from the physics of the guidance (a fuel failure wants later, harder braking and a shorter
 * final descent; a hard touchdown the opposite; a skid less tilt and drift near the ground...).
 */
export const FAILURE_DIRECTIONS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  fuel: {
    'navigator.all.guidanceLaw': 1,
    'navigator.all.brakingAccelFraction': 1,
    'navigator.all.flareAltitude': -1,
    'navigator.all.minDescentRate': 1,
    'navigator.all.finalDescentRate': 1,
    'navigator.all.descentRateGain': 1,
    'navigator.all.engineOffBelow': 1,
    'navigator.all.maxDescentRate': 1,
    'navigator.terminal.minDescentRate': 1,
    'commander.all.terminalAltitude': -1,
    'commander.all.hoverDistance': 1,
  },
  sink: {
    'navigator.all.brakingAccelFraction': -1,
    'navigator.all.flareAltitude': 1,
    'navigator.all.ignitionLeadSeconds': 1,
    'navigator.all.minDescentRate': -1,
    'navigator.all.finalDescentRate': -1,
    'navigator.all.descentRateGain': -1,
    'navigator.all.verticalGain': 1,
    'navigator.terminal.minDescentRate': -1,
    'commander.all.brakingAltitude': 1,
  },
  drift: {
    'navigator.terminal.terminalMaxTiltDeg': -1,
    'navigator.terminal.maxTerminalSpeed': -1,
    'navigator.all.velocityGain': 1,
    'navigator.all.maxBrakingSpeed': -1,
    'commander.all.hoverDistance': -1,
    'navigator.all.maxTiltDeg': 1,
  },
  distance: {
    'commander.all.retargetMaxDistance': -1,
    'navigator.all.positionGain': 1,
    'navigator.all.maxApproachSpeed': 1,
    'navigator.all.maxTiltDeg': 1,
    'commander.all.brakingAltitude': 1,
  },
  hazard: {
    'commander.all.retargetMaxDistance': 1,
    // A site moved low down is reached before touchdown rather than passed by.
    'navigator.all.flareHoldDistance': 1,
    'detector.all.siteMargin': 1,
    'detector.all.scanEvery': -1,
  },
  abort: { 'commander.all.abortFuelFraction': -1 },
};

/** The kind of failure a landing shows, as `FAILURE_DIRECTIONS` names them (null: satisfied). */
export function failureKind(r: LandingResult, failed: readonly string[]): string | null {
  const verdict = r.touchdown?.verdict ?? r.status;
  if (!failed.length) return null;
  if (verdict === 'out_of_fuel' || r.touchdown?.violations.includes('out_of_fuel')) return 'fuel';
  if (verdict === 'aborted')
    return r.fuelUsed >= 0.95 * (r.fuelUsed + (r.touchdown?.fuelLeft ?? 0)) ? 'fuel' : 'abort';
  if (verdict === 'crashed' || r.touchdown?.violations.includes('vertical_speed')) return 'sink';
  if (verdict === 'tipped' || r.touchdown?.violations.includes('horizontal_speed')) return 'drift';
  if (verdict === 'hazard') return 'hazard';
  if (failed.includes('near-site')) return 'distance';
  if (failed.includes('frugal')) return 'fuel';
  return verdict === 'safe' ? 'fuel' : 'sink';
}

/**
 * A reflective child: 1 to 3 parameters moved the way the parent's commonest failure asks, from
 * the parent's values (`base` where the parent sets none: the current rules').
 */
function reflect(
  parent: Genome,
  kinds: readonly string[],
  rand: () => number,
  base: Genome,
): Genome | null {
  if (!kinds.length) return null;
  const kind = kinds[Math.floor(rand() * kinds.length)];
  const directions = Object.entries(FAILURE_DIRECTIONS[kind] ?? {});
  if (!directions.length) return null;
  const child: Record<string, number> = { ...parent };
  const moves = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < moves; i++) {
    const [key, sign] = directions[Math.floor(rand() * directions.length)];
    const p = GUIDANCE_SPACE.find((q) => keyOf(q) === key)!;
    const v = valueOf(child, p, base);
    child[key] =
      p.kind === 'switch'
        ? normalise(p, sign > 0 ? 1 : 0)
        : normalise(p, v + sign * Math.abs(gaussian(rand)) * 0.15 * (p.max - p.min));
  }
  return child;
}

/**
 * A child: 1 to 4 parameters moved (a switch flipped) from the parent's values (`base`'s where it
 * sets none), sometimes mixed with a second parent.
 */
function mutate(parent: Genome, other: Genome | null, rand: () => number, base: Genome): Genome {
  const child: Record<string, number> = { ...parent };
  if (other && rand() < 0.25)
    for (const p of GUIDANCE_SPACE)
      if (rand() < 0.5 && other[keyOf(p)] !== undefined) child[keyOf(p)] = other[keyOf(p)];
  const moves = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < moves; i++) {
    const p = GUIDANCE_SPACE[Math.floor(rand() * GUIDANCE_SPACE.length)];
    const v = valueOf(child, p, base);
    child[keyOf(p)] =
      p.kind === 'switch'
        ? 1 - normalise(p, v)
        : normalise(p, v + gaussian(rand) * 0.25 * (p.max - p.min));
  }
  return child;
}

/** The switch of the late-ignition law, and the parameters that shape how it flies. */
const LAW_SWITCH = 'navigator.all.guidanceLaw';
const LAW_PARAMS = [
  'navigator.all.brakingAccelFraction',
  'navigator.all.flareAltitude',
  'navigator.all.ignitionLeadSeconds',
  'navigator.all.finalDescentRate',
  // Its sideways braking tilts the thrust: how far decides how much of it lifts the craft.
  'navigator.all.maxTiltDeg',
  // Its final descent is short: whether it first holds to reach a site moved low down.
  'navigator.all.flareHoldDistance',
];

/**
 * A child with the late-ignition law switched on and the engine allowed to shut down while
 * coasting (the law's fuel saving needs both: one switch alone is a different, worse policy, and a
 * reflective move rarely flips both at once). After the first, seeds also draw one or two of the
 * law's parameters anywhere in their ranges, so the first generation samples the law widely
 * rather than one point of it (a biased radar wants a high flare, a sideways approach more tilt,
 * a site moved late a hold below the flare).
 */
function lawSeed(parent: Genome, index: number, rand: () => number, base: Genome): Genome {
  const param = (key: string) => GUIDANCE_SPACE.find((q) => keyOf(q) === key)!;
  const off = param('navigator.all.engineOffBelow');
  const child: Record<string, number> = {
    ...parent,
    [LAW_SWITCH]: 1,
    [keyOf(off)]: normalise(off, Math.max(valueOf(parent, off, base), (off.min + off.max) / 2)),
  };
  const moves = index === 0 ? 0 : 1 + Math.floor(rand() * 2);
  for (let i = 0; i < moves; i++) {
    const p = param(LAW_PARAMS[Math.floor(rand() * LAW_PARAMS.length)]);
    child[keyOf(p)] = normalise(p, p.min + rand() * (p.max - p.min));
  }
  return child;
}

/**
 * Whether `c` keeps every family of the training scenarios: no family has fewer satisfied
 * landings than with the current rules by more than `tolerance` (the operator's), or than
 * `satisfiedTolerance` of its flights where that is larger (the noise of which scenarios a family
 * drew for training). Gains on one family must not be paid for with another's landings: an agent
 * flying several families would otherwise learn guidance for the many at the cost of the few.
 */
export function losesNoFamily(
  c: GuidanceCandidate,
  baseline: GuidanceCandidate,
  train: readonly Scenario[],
  tolerance: number,
): boolean {
  const counts = familyCounts(
    train.map((s) => s.family ?? ''),
    baseline.satisfied,
    c.satisfied,
  );
  return [...counts.values()].every(
    (f) => f.before - f.after <= Math.max(tolerance, satisfiedTolerance(f.tasks)),
  );
}

/** Fewest more satisfied training landings a start scope must give over the candidate unscoped. */
export const MIN_SCOPE_GAIN = 2;

/** Front members (best first) `searchGuidance` tries to scope to the approaches where they help. */
const SCOPED_FROM = 3;

/** A cut strictly between two sorted values, rounded where rounding keeps it between them. */
function cutBetween(a: number, b: number): number {
  const mid = (a + b) / 2;
  const short = Number(mid.toPrecision(4));
  return short > a && short <= b ? short : mid;
}

/**
 * `c` held to the approaches where it helps: its parameter sets apply only while one start
 * feature (what the crew saw at the start: `LANDER_START_FEATURES`) is below, or at least, a
 * threshold, chosen over the training scenarios for the most satisfied landings (ties: the
 * widest scope). A flight outside the scope flies exactly as with the current rules (the start
 * features never change during a flight, and rules hold at the same steps either way), so the
 * scoped candidate's training results are `c`'s inside and the baseline's outside, known without
 * a flight. One law for every approach gains on some kinds of approach what it costs on others (a
 * high gate, a long way to the site); scoped, it keeps the gains. Null when no scope satisfies
 * `MIN_SCOPE_GAIN` more training landings than `c`, or the flights do not carry their start.
 */
export function scopeToStart(
  c: GuidanceCandidate,
  baseline: GuidanceCandidate,
  judge: LandingJudge,
): GuidanceCandidate | null {
  const starts = baseline.results.map((r) => r.start);
  if (!c.rules.length || starts.some((s) => !s)) return null;
  const start = starts as Record<string, number>[];
  let best: { test: FeatureTest; inside: boolean[]; satisfied: number; covered: number } | null =
    null;
  for (const feature of Object.keys(LANDER_START_FEATURES)) {
    const values = [...new Set(start.map((s) => s[feature]))].sort((a, b) => a - b);
    for (let k = 1; k < values.length; k++) {
      const cut = cutBetween(values[k - 1], values[k]);
      for (const op of ['lt', 'gte'] as const) {
        const inside = start.map((s) => (op === 'lt' ? s[feature] < cut : s[feature] >= cut));
        const satisfied = inside.filter((x, i) =>
          x ? c.satisfied[i] : baseline.satisfied[i],
        ).length;
        const covered = inside.filter(Boolean).length;
        if (
          !best ||
          satisfied > best.satisfied ||
          (satisfied === best.satisfied && covered > best.covered)
        )
          best = { test: { feature, op, value: cut }, inside, satisfied, covered };
      }
    }
  }
  if (!best || best.satisfied < c.score.satisfied + MIN_SCOPE_GAIN) return null;
  const test = best.test;
  const results = best.inside.map((x, i) => (x ? c.results[i] : baseline.results[i]));
  return {
    genome: c.genome,
    startScope: test,
    rules: c.rules.map((r) => ({
      ...r,
      rule: { ...r.rule, when: { all: [structuredClone(r.rule.when), { ...test }] } },
    })),
    score: scoreObjective(results, judge),
    satisfied: best.inside.map((x, i) => (x ? c.satisfied[i] : baseline.satisfied[i])),
    results,
  };
}

/** Training scenarios the guidance search always flies in full, however small its budget. */
export const MIN_SEARCH_SET = 130;
/** Full evaluations of a parameter set the search's budget should afford at the least. */
const FULL_EVALUATIONS = 16;

/**
 * The training scenarios the guidance search flies. All of them while there are at most
 * `MIN_SEARCH_SET`, or a sixteenth of the budget: every parameter set that passes its screen is
 * flown on the whole set, so a large training split (several families of a few hundred scenarios)
 * would leave the budget for two or three such sets. Beyond that, that many, taken in turn from
 * each family in training order, so every family keeps its place in the search.
 */
export function guidanceSearchSet(train: readonly Scenario[], maxSimulations: number): Scenario[] {
  return takeInTurnByFamily(
    train,
    Math.max(MIN_SEARCH_SET, Math.floor(maxSimulations / FULL_EVALUATIONS)),
  );
}

const paretoFront = (xs: readonly GuidanceCandidate[]) =>
  xs.filter((a) => !xs.some((b) => b !== a && dominates(b.score, a.score)));

/** The front in the order to try it: see `GuidanceSearchReport.front`. */
export function frontToTry(
  archive: readonly GuidanceCandidate[],
  front: readonly GuidanceCandidate[],
  baseline: GuidanceCandidate,
  train: readonly Scenario[],
  tolerance: number | undefined,
): GuidanceCandidate[] {
  const rank = (xs: readonly GuidanceCandidate[]) => rankByCriteria(xs, (c) => c.score);
  if (tolerance === undefined || new Set(train.map((s) => s.family ?? '')).size < 2)
    return rank(front);
  const keeping = paretoFront(archive.filter((c) => losesNoFamily(c, baseline, train, tolerance)));
  return [...rank(keeping), ...rank(front.filter((c) => !keeping.includes(c)))];
}

function tally(reach: SearchReach, judgement: LandingJudgement): void {
  reach.flights++;
  if (judgement.satisfied) reach.satisfied++;
  else if (judgement.failed.length === 1) {
    const [criterion] = judgement.failed;
    reach.onlyFailed[criterion] = (reach.onlyFailed[criterion] ?? 0) + 1;
  }
}

/**
 * The guidance reflector: a multi-criteria evolutionary search (in the spirit of GEPA) over the
 * continuous parameters of `GUIDANCE_SPACE`, added on top of the current rules. It keeps every
 * candidate not dominated on the rubric's criteria (satisfied landings, median fuel over the
 * vertical limit, distance to the site, touchdown speed) as a Pareto front, draws each child from
 * a front member, mostly by reflection (the parent's failures, by kind, say which parameters to
 * move and which way: `FAILURE_DIRECTIONS`), otherwise by random moves and crossover (the first
 * generation instead samples the late-ignition law around its physical defaults: `lawSeed`),
 * screens it on a rotating minibatch of training scenarios, and flies it on all
 * of them only when it does not lose to its parent there. Improves flights that already succeed
 * (fuel, precision, touchdown speed) as well as failed ones. At the end the front's best three are
 * also offered scoped to the approaches where they help (`scopeToStart`, no further flights).
 * Deterministic for a seed, whatever the pool size.
 */
export async function searchGuidance(
  train: readonly Scenario[],
  current: RoleRules,
  options: GuidanceSearchOptions = {},
): Promise<GuidanceSearchReport> {
  const graded = new WeakMap<LandingResult, LandingJudgement>();
  const sync = options.judge ?? rubricJudge();
  const judge: LandingJudge = (r) => graded.get(r) ?? sync(r);
  const max = options.maxSimulations ?? 2000;
  const pool = options.pool ?? new FlightPool(1);
  const own = !options.pool;
  const rand = rng(options.seed ?? 16);
  const mb = Math.min(options.minibatch ?? 8, train.length);
  const batch = Math.max(1, options.batch ?? 6);
  let spent = 0;
  const reach: SearchReach = { flights: 0, satisfied: 0, onlyFailed: {} };

  // What earlier dreams promoted: children move from these values, not from day one's.
  const base = baseGenome(current);
  const rulesOf = (g: Genome) =>
    withRules(
      current,
      genomeRules(g, base).map(({ role, rule }) => ({ role, rule })),
    );
  const fly = async (jobs: { g: Genome; i: number }[]) => {
    spent += jobs.length;
    const results = await pool.flyAll(
      jobs.map(({ g, i }) => ({ scenario: train[i], rules: rulesOf(g) })),
    );
    if (options.gradeAll) {
      const grades = await options.gradeAll(results);
      results.forEach((r, i) => graded.set(r, grades[i]));
    }
    for (const r of results) tally(reach, judge(r));
    await options.onProgress?.(spent, max);
    return results;
  };
  const candidate = (genome: Genome, results: LandingResult[]): GuidanceCandidate => ({
    genome,
    rules: genomeRules(genome, base),
    score: scoreObjective(results, judge),
    satisfied: results.map((r) => judge(r).satisfied),
    results,
  });

  try {
    const all = train.map((_, i) => i);
    const baseline = candidate({}, await fly(all.map((i) => ({ g: {}, i }))));
    const archive: GuidanceCandidate[] = [baseline];
    let front = [baseline];
    let generations = 0;
    let screened = 0;
    let evaluated = 0;
    let window = 0;
    while (train.length && spent + batch * mb <= max) {
      generations++;
      const tasks = Array.from({ length: mb }, (_, k) => (window + k) % train.length);
      window = (window + mb) % train.length;
      const children = Array.from({ length: batch }, (_, k) => {
        const parent = front[Math.floor(rand() * front.length)];
        if (generations === 1) return { parent, genome: lawSeed(parent.genome, k, rand, base) };
        const other = front.length > 1 ? front[Math.floor(rand() * front.length)] : null;
        const kinds = parent.results
          .map((r) => failureKind(r, judge(r).failed))
          .filter((k): k is string => k !== null);
        const reflective = rand() < 0.6 ? reflect(parent.genome, kinds, rand, base) : null;
        return {
          parent,
          genome: reflective ?? mutate(parent.genome, other?.genome ?? null, rand, base),
        };
      });
      const screen = await fly(children.flatMap((c) => tasks.map((i) => ({ g: c.genome, i }))));
      screened += children.length;
      const promising = children.filter((c, n) => {
        const mine = screen.slice(n * mb, (n + 1) * mb);
        const theirs = tasks.map((i) => c.parent.results[i]);
        const a = scoreObjective(mine, judge);
        const b = scoreObjective(theirs, judge);
        // Only a child that does better than its parent on the minibatch costs a full evaluation.
        return a.satisfied > b.satisfied || (a.satisfied === b.satisfied && dominates(a, b));
      });
      const rest = all.filter((i) => !tasks.includes(i));
      if (!promising.length || spent + promising.length * rest.length > max) continue;
      const full = await fly(promising.flatMap((c) => rest.map((i) => ({ g: c.genome, i }))));
      promising.forEach((c, n) => {
        const n0 = children.indexOf(c);
        const results: LandingResult[] = new Array(train.length);
        tasks.forEach((i, k) => (results[i] = screen[n0 * mb + k]));
        rest.forEach((i, k) => (results[i] = full[n * rest.length + k]));
        const key = JSON.stringify(c.genome);
        if (!archive.some((x) => JSON.stringify(x.genome) === key))
          archive.push(candidate(c.genome, results));
        evaluated++;
      });
      front = paretoFront(archive);
    }
    // The best members held to the approaches where they help, beside them unscoped.
    const scoped = rankByCriteria(front, (c) => c.score)
      .slice(0, SCOPED_FROM)
      .flatMap((c) => scopeToStart(c, baseline, judge) ?? []);
    // Ranked for choosing: a few fewer satisfied (within tolerance) for clearly leaner fuel.
    return {
      front: frontToTry(
        [...archive, ...scoped],
        [...scoped, ...front],
        baseline,
        train,
        options.familyTolerance,
      ),
      baseline,
      base,
      simulations: spent,
      generations,
      screened,
      evaluated,
      reach,
    };
  } finally {
    if (own) await pool.close();
  }
}
