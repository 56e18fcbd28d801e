import type { SessionEventBody } from '@reverie/contracts';
import {
  COMMANDER,
  DETECTOR,
  NAVIGATOR,
  type LandingJudgement,
  type LandingResult,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import { fitTeam } from './fit-team';
import { localiseFromFamily } from './localise-divergence';
import type { RoleName } from './rule-space';
import { recordedSteps, shadowReplay, type RecordedStep, type StepGaps } from './shadow-replay';

/** Scores a landing against the agent's rubric (sync or through the grader). */
export type SessionJudge = (result: LandingResult) => LandingJudgement | Promise<LandingJudgement>;

export interface SessionLocaliseInput {
  scenario: Scenario;
  /** The recorded session: reports, orders, commands, telemetry and the result. */
  events: readonly SessionEventBody[];
  /** The localiser's own playbook (the reference team where a fit does not explain the flight better). */
  current: RoleRules;
  /** The rubric's criteria, as a judge of a landing's result. */
  judge: SessionJudge;
  /** A successful flight of the same family, for failures replay cannot place. */
  peer?: { scenario: Scenario; events: readonly SessionEventBody[] } | null;
  /** Takeover flights allowed. Default 60. */
  maxSimulations?: number;
}

export type SessionLocalisationMethod =
  'takeover-cost' | 'takeover-anomaly' | 'takeover' | 'anomaly' | 'family-divergence' | 'none';

export interface SessionLocalisation {
  /** 'satisfied': the rubric passed, nothing to place; 'unplaced': no evidence names a step. */
  verdict: 'satisfied' | 'localised' | 'unplaced';
  /** The criteria the recorded flight failed. */
  failed: string[];
  step: number | null;
  role: RoleName | null;
  method: SessionLocalisationMethod;
  /** 0..1, see `CONFIDENCE`. */
  confidence: number;
  detail: string;
  /** The last step from which the localiser's own team, taking over, mends a failed criterion. */
  lastRecoverable: number | null;
  simulations: number;
  /**
   * The roles whose parameters were fitted to the recorded flight (see `fitTeam`) and fly so in
   * the reference team; the others fly as the own playbook has them.
   */
  fitted: RoleName[];
}

/**
 * Confidence of each way of naming a step: at most the share of the bench's planted faults it
 * named right (step and role) on the development seeds (`--seed 7`, `--seed 11`, `--per-family
 * 12`: 148 faults), never on the reported ones: a heavy run inside the takeover's window 114 of
 * 120 (95 %), the flight's heaviest run 13 of 21 (62 %), a weaker run 2 of 3; the rarer ways
 * (a costly step 1 of 2, an earlier run 0 of 1, the decisive step 0 of 1, the family divergence
 * none there, 0 of 1 with 6 per family) are set low. The bench reports accuracy per confidence
 * bucket (bench/results/lander-localisation-latest.json).
 */
export const CONFIDENCE = {
  /** A takeover bounds the step and a heavy run of departures starts inside the window. */
  takeoverAnomaly: 0.9,
  /** As above with a weaker run (weight 1.5-3) inside the window. */
  takeoverDeparture: 0.55,
  /** No takeover mends the flight; the heaviest run of departures of the whole flight is named. */
  anomaly: 0.55,
  /** A takeover bounds the step; no departure stands out, the first costly recorded step is named. */
  takeoverCost: 0.35,
  /** A takeover bounds the step; the heavy run found lies before its window. */
  takeoverEarlier: 0.25,
  /** A takeover bounds the step and nothing else is found: the decisive step itself. */
  takeover: 0.15,
  /** The divergence from a successful flight of the family (at most this, whatever it says). */
  family: 0.15,
} as const;

/** How far before the decisive step a damaging decision is looked for, steps. */
const WINDOW = 12;
/** Robust z-score from which a decision stands out of the team's own habits. */
const OUTLIER = 3;
/** A weaker departure, named inside the takeover's window when nothing stands out more. */
const DEPARTURE = 1.5;
/** How far a run of departures is followed back to its onset (z). */
const TRAIL = 0.5;
/** Steps of a run of departures its weight counts (see `topOutlier`). */
const RUN_STEPS = 5;

const ROLES: readonly RoleName[] = [DETECTOR, COMMANDER, NAVIGATOR];

/**
 * Says where a recorded landing went wrong, knowing only what a dream has: the session's events,
 * the scenario, the rubric (as a judge) and the localiser's own team; not the policy that flew.
 *
 * 1. Judge the recorded result: a satisfied flight is said to be so, no step is invented.
 * 2. The reference team: each role's parameters fitted to its recorded decisions (`fitTeam`), for
 *    the roles where that explains the flight clearly better than the own playbook; the others
 *    as the own playbook has them.
 * 3. Shadow replay: every role's gap to what the reference team decides from the same inputs, at
 *    every step. A gap counts only as far as it stands out of that role's own gaps in this flight
 *    (a robust z-score: median and MAD), so a role the fit explains less well is not blamed for
 *    its habits.
 * 4. Counterfactual takeovers: from the recorded state at step k, the reference team flies on. The
 *    last k from which it satisfies the rubric (else: mends a failed criterion without failing
 *    another) is the decisive step: the recorded decisions before it still left a way out, the
 *    one at it did not (see `decisiveStep`).
 * 5. The step: the onset of the heaviest run of one role's departures within `WINDOW` steps
 *    before the decisive step (`topOutlier`: a bad decision held for a while does its damage
 *    before the flight is lost), else a weaker departure there, else the first step there whose
 *    recorded decisions make the takeover markedly worse, else the heaviest run before the
 *    window, else the decisive step. With no takeover that mends anything: the flight's heaviest
 *    run of departures, else the divergence from a successful flight of the same family on the
 *    failed criterion's quantity, else `unplaced`.
 */
export async function localiseSession(input: SessionLocaliseInput): Promise<SessionLocalisation> {
  const result = resultOf(input.events);
  const verdict: LandingJudgement = result
    ? await input.judge(result)
    : { satisfied: false, failed: ['no result'] };
  const base = {
    failed: verdict.failed,
    lastRecoverable: null,
    simulations: 0,
    fitted: [] as RoleName[],
  };
  if (verdict.satisfied)
    return {
      ...base,
      verdict: 'satisfied',
      step: null,
      role: null,
      method: 'none',
      confidence: 1,
      detail: 'the flight satisfied the rubric: there is no failure to place',
    };
  const recorded = recordedSteps(input.scenario, input.events);
  const own = await shadowReplay(input.scenario, recorded, input.current);
  const fitted = fitTeam(input.scenario, recorded, input.current, own.gaps);
  const reference = Object.keys(fitted.roles).length ? fitted.rules : input.current;
  const { gaps } =
    reference === input.current ? own : await shadowReplay(input.scenario, recorded, reference);
  const z = outlierScores(gaps);
  const takeovers = new Takeovers(input, reference, recorded, input.maxSimulations ?? 80);
  const last = replayable(recorded) - 1;
  const decisive: Decisive =
    last >= 0 ? await decisiveStep(takeovers, last, verdict.failed) : { step: null, full: false };
  const costs =
    decisive.step === null
      ? new Map<number, number>()
      : await marginalCosts(
          takeovers,
          Math.max(0, decisive.step - WINDOW),
          decisive.step,
          10 * verdict.failed.length + (result?.fuelUsed ?? 0) / input.scenario.craft.fuelKg,
          last,
          input.scenario.craft.fuelKg,
        );
  const takeover = { step: decisive.step, simulations: takeovers.simulations };
  base.fitted = Object.keys(fitted.roles) as RoleName[];
  const found = chooseStep(gaps, z, decisive, costs, verdict.failed);
  if (found) return { ...base, ...found, verdict: 'localised', ...takeoverPart(takeover) };
  const family = familyStep(input, verdict.failed);
  if (family)
    return {
      ...base,
      verdict: 'localised',
      ...family,
      ...takeoverPart(takeover),
    };
  return {
    ...base,
    ...takeoverPart(takeover),
    verdict: 'unplaced',
    step: null,
    role: null,
    method: 'none',
    confidence: 0,
    detail:
      'no takeover mends the flight, no decision stands out and no successful flight of the family to compare with',
  };
}

const takeoverPart = (t: { step: number | null; simulations: number }) => ({
  lastRecoverable: t.step,
  simulations: t.simulations + 1,
});

/** The landing result a session recorded last, or null. */
export function resultOf(events: readonly SessionEventBody[]): LandingResult | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'observation' && e.data.result) return e.data.result as LandingResult;
  }
  return null;
}

/**
 * How many steps from the start the session records what reached the craft (a command or an
 * abort): a takeover can start only inside them (a session without commands cannot be replayed).
 */
function replayable(recorded: readonly RecordedStep[]): number {
  let n = 0;
  while (n < recorded.length && (recorded[n]?.command || recorded[n]?.abort)) n++;
  return n;
}

/** The fuel limit the session recorded with its scenario (null when absent). */
function fuelLimitOf(events: readonly SessionEventBody[]): number | null {
  for (const e of events)
    if (e.type === 'observation' && typeof e.data.fuelLimit === 'number') return e.data.fuelLimit;
  return null;
}

/** Robust z-scores of each role's gap against its own gaps over the flight: z[step][role]. */
export function outlierScores(gaps: readonly (StepGaps | undefined)[]): StepGaps[] {
  const out: StepGaps[] = gaps.map(() => ({}));
  for (const role of ROLES) {
    const xs = gaps.flatMap((g) => (g?.[role] === undefined ? [] : [g[role] as number]));
    if (!xs.length) continue;
    const med = median(xs);
    // +1 tolerance unit: a team that matches the reference (MAD 0) is judged on the raw gap.
    const spread = 1.4826 * median(xs.map((x) => Math.abs(x - med))) + 1;
    gaps.forEach((g, step) => {
      const x = g?.[role];
      if (x !== undefined) out[step][role] = (x - med) / spread;
    });
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** How the own team, taking over from the recorded state at a step, ends the flight. */
interface TakeoverRun {
  result: LandingResult;
  judged: LandingJudgement;
}

/** Takeovers from the recorded state, each flown once (memoised by step) within a budget. */
class Takeovers {
  private readonly cache = new Map<number, TakeoverRun>();
  private readonly fuelLimit: number | null;
  simulations = 0;
  constructor(
    private readonly input: SessionLocaliseInput,
    private readonly reference: RoleRules,
    private readonly recorded: readonly RecordedStep[],
    readonly max: number,
  ) {
    this.fuelLimit = fuelLimitOf(input.events);
  }
  get left(): number {
    return this.max - this.simulations;
  }
  /** The takeover from step k, or null when the budget is spent. */
  async at(k: number): Promise<TakeoverRun | null> {
    const hit = this.cache.get(k);
    if (hit) return hit;
    if (this.left <= 0) return null;
    this.simulations++;
    const { input, recorded } = this;
    const run = await shadowReplay(input.scenario, recorded, this.reference, k, {
      fuelLimit: this.fuelLimit,
    });
    const result = run.takeover!.result;
    const out = { result, judged: await input.judge(result) };
    this.cache.set(k, out);
    return out;
  }
}

/** Where the own team's takeovers mend the flight: `step` null when no takeover mends anything. */
interface Decisive {
  step: number | null;
  /** Whether the takeover from `step` satisfies every criterion (else it mends only some). */
  full: boolean;
}

/**
 * The decisive step: the last step from which the own team, taking over from the recorded state,
 * satisfies the rubric; when no takeover does, the last from which it mends at least one failed
 * criterion and fails none the recorded flight passed. Satisfying all comes first because a bad
 * decision that breaks several criteria (a retarget far away: distance, then fuel and safety)
 * leaves some of them mendable long after it. Probes backwards every few steps over the whole
 * flight, then refines between the probe found and the one after it.
 */
async function decisiveStep(
  takeovers: Takeovers,
  last: number,
  failed: readonly string[],
): Promise<Decisive> {
  const stride = Math.max(1, Math.ceil((last + 1) / Math.max(1, takeovers.max - 6 - WINDOW)));
  const outcome = async (k: number): Promise<'all' | 'some' | 'none' | null> => {
    const run = await takeovers.at(k);
    if (!run) return null;
    if (run.judged.satisfied) return 'all';
    const now = new Set(run.judged.failed);
    const worse = run.judged.failed.some((c) => !failed.includes(c));
    return !worse && failed.some((c) => !now.has(c)) ? 'some' : 'none';
  };
  let some: number | null = null;
  let all: number | null = null;
  for (let k = last; k >= 0 && all === null; k -= stride) {
    const o = await outcome(k);
    if (o === null) break;
    if (o === 'all') all = k;
    else if (o === 'some' && some === null) some = k;
  }
  const found = all ?? some;
  if (found === null) return { step: null, full: false };
  const wanted = all !== null ? ['all'] : ['all', 'some'];
  for (let k = Math.min(found + stride - 1, last); k > found; k--) {
    const o = await outcome(k);
    if (o === null) break;
    if (wanted.includes(o)) return { step: k, full: all !== null };
  }
  return { step: found, full: all !== null };
}

/**
 * What a takeover's landing costs: each failed criterion outweighs any fuel or distance; then the
 * share of the starting fuel burned and the distance to the site (per km, capped at 1 km).
 */
function landingCost(run: TakeoverRun, fuelAtStart: number): number {
  const distance = Math.min(run.result.touchdown?.distanceToTarget ?? 1000, 1000);
  return 10 * run.judged.failed.length + run.result.fuelUsed / fuelAtStart + distance / 1000;
}

/**
 * The counterfactual cost of the recorded decisions at each step t of [from, to]: how much worse
 * the own team ends when it takes over at t + 1 (after the recorded step t) than at t (instead of
 * it). Null entries where the budget ran out.
 */
async function marginalCosts(
  takeovers: Takeovers,
  from: number,
  to: number,
  recordedCost: number,
  last: number,
  fuelAtStart: number,
): Promise<Map<number, number>> {
  const cost = async (k: number) => {
    if (k > last) return recordedCost;
    const run = await takeovers.at(k);
    return run && landingCost(run, fuelAtStart);
  };
  const out = new Map<number, number>();
  let next = await cost(to + 1);
  for (let t = to; t >= from; t--) {
    const here = await cost(t);
    if (here === null || next === null) break;
    out.set(t, next - here);
    next = here;
  }
  return out;
}

type Chosen = Pick<SessionLocalisation, 'step' | 'role' | 'method' | 'confidence' | 'detail'>;

/** The most outlying decision in [from, to] scoring at least `floor`: step, role and score. */
interface Outlier {
  /** The run's most outlying step. */
  step: number;
  role: RoleName;
  /** The run's weight: the sum of its `RUN_STEPS` largest z-scores. */
  score: number;
}

/**
 * The heaviest run of one role's departures in [from, to] weighing at least `floor`. A run is a
 * stretch of steps where the role departs (z >= `TRAIL`); its weight adds its largest z-scores,
 * at most `RUN_STEPS` of them: a bad decision held for several steps outweighs a single larger
 * slip of another role, and a long mild drift does not outweigh a sharp departure.
 */
function topOutlier(
  z: readonly StepGaps[],
  from: number,
  to: number,
  floor: number,
): Outlier | null {
  let best: Outlier | null = null;
  const last = Math.min(to, z.length - 1);
  for (const role of ROLES) {
    let run: { step: number; z: number }[] = [];
    for (let step = Math.max(0, from); step <= last + 1; step++) {
      const score = step <= last ? z[step]?.[role] : undefined;
      if (score !== undefined && score >= TRAIL) {
        run.push({ step, z: score });
        continue;
      }
      if (!run.length) continue;
      const top = [...run].sort((a, b) => b.z - a.z);
      const weight = top.slice(0, RUN_STEPS).reduce((sum, x) => sum + x.z, 0);
      if (weight >= floor && (!best || weight > best.score))
        best = { step: top[0].step, role, score: weight };
      run = [];
    }
  }
  return best;
}

/**
 * Where the run of one role's departures that peaks at `step` began: back while the departure
 * still stands out a little (z >= `TRAIL`) and keeps at least half its size from one step to
 * the one before (a ramp, as a stuck sensor drifts away, is followed to its foot; a jump from a
 * habitual departure to a much larger one starts at the jump).
 */
function onsetOf(
  gaps: readonly (StepGaps | undefined)[],
  z: readonly StepGaps[],
  step: number,
  role: RoleName,
): number {
  let k = step;
  while (
    k > 0 &&
    (z[k - 1]?.[role] ?? 0) >= TRAIL &&
    (gaps[k - 1]?.[role] ?? 0) >= 0.5 * (gaps[k]?.[role] ?? 0)
  )
    k--;
  return k;
}

/**
 * The first step of the window whose recorded decisions cost the own team's takeover markedly
 * more than the window's typical step (3x the median cost, and at least 1 % of the fuel or a
 * criterion), and a role departs there from the own team (z >= `TRAIL`): the role departing most.
 */
function firstCostlyStep(costs: ReadonlyMap<number, number>, z: readonly StepGaps[], k: number) {
  const typical = median([...costs.values()].map(Math.abs));
  const bar = Math.max(0.01, 3 * typical);
  for (let t = Math.max(0, k - WINDOW); t <= k; t++) {
    const cost = costs.get(t);
    if (cost === undefined || cost < bar) continue;
    let best: { role: RoleName; z: number } | null = null;
    for (const role of ROLES) {
      const score = z[t]?.[role];
      if (score !== undefined && score >= TRAIL && (!best || score > best.z))
        best = { role, z: score };
    }
    if (best) return { step: t, cost, ...best };
  }
  return null;
}

/** The role the first failed criterion points at when no decision stands out. */
function roleOfCriteria(failed: readonly string[]): RoleName {
  return failed[0] === 'near-site' ? COMMANDER : NAVIGATOR;
}

function chooseStep(
  gaps: readonly (StepGaps | undefined)[],
  z: readonly StepGaps[],
  decisive: Decisive,
  costs: ReadonlyMap<number, number>,
  failed: readonly string[],
): Chosen | null {
  const how = decisive.full ? 'satisfies the rubric' : 'mends a failed criterion';
  if (decisive.step !== null) {
    const k = decisive.step;
    const top = topOutlier(z, k - WINDOW, k, OUTLIER) ?? topOutlier(z, k - WINDOW, k, DEPARTURE);
    if (top)
      return fromOutlier(
        gaps,
        z,
        top,
        'takeover-anomaly',
        top.score >= OUTLIER ? CONFIDENCE.takeoverAnomaly : CONFIDENCE.takeoverDeparture,
        (step) =>
          `the reference team taking over ${how} from step ${k} but not after it; the ${top.role}'s decisions depart from its habits from step ${step} (weight ${top.score.toFixed(1)})`,
      );
    // No departure stands out near the decisive step: the first step there whose recorded
    // decisions make the own team's takeover markedly worse.
    const costly = firstCostlyStep(costs, z, k);
    if (costly)
      return {
        step: costly.step,
        role: costly.role,
        method: 'takeover-cost',
        confidence: CONFIDENCE.takeoverCost,
        detail: `the reference team taking over ${how} from step ${k} but not after it; no decision stands out near it, and the first recorded step within ${WINDOW} before it that makes the takeover markedly worse (cost ${costly.cost.toFixed(3)}) is ${costly.step}, where the ${costly.role} departs most (z ${costly.z.toFixed(1)})`,
      };
    // Nothing near the decisive step: a decision far before it that stands out may still have
    // done the damage (more fuel burned than the rest of the flight can spare).
    const earlier = topOutlier(z, 0, k, OUTLIER);
    if (earlier)
      return fromOutlier(
        gaps,
        z,
        earlier,
        'takeover-anomaly',
        CONFIDENCE.takeoverEarlier,
        (step) =>
          `the reference team taking over ${how} from step ${k} but not after it; nothing stands out near it, the ${earlier.role}'s decisions stand out most from step ${step}, earlier (weight ${earlier.score.toFixed(1)})`,
      );
    return {
      step: k,
      role: roleOfCriteria(failed),
      method: 'takeover',
      confidence: CONFIDENCE.takeover,
      detail: `the reference team taking over ${how} from step ${k} but not after it; no decision stands out before it, the role is the failed criterion's (${failed[0]})`,
    };
  }
  const top = topOutlier(z, 0, z.length - 1, OUTLIER);
  if (!top) return null;
  return fromOutlier(
    gaps,
    z,
    top,
    'anomaly',
    CONFIDENCE.anomaly,
    (step) =>
      `no takeover mends the flight; the ${top.role}'s decisions stand out of its habits most from step ${step} (weight ${top.score.toFixed(1)})`,
  );
}

/** The answer an outlying decision gives: the onset of its run (`onsetOf`), its role. */
function fromOutlier(
  gaps: readonly (StepGaps | undefined)[],
  z: readonly StepGaps[],
  top: Outlier,
  method: SessionLocalisationMethod,
  confidence: number,
  detail: (step: number) => string,
): Chosen {
  const step = onsetOf(gaps, z, top.step, top.role);
  return { step, role: top.role, method, confidence, detail: detail(step) };
}

function familyStep(input: SessionLocaliseInput, failed: readonly string[]): Chosen | null {
  if (!input.peer) return null;
  const found = localiseFromFamily(input.events, input.peer.events, failed, {
    failed: input.scenario.target.x,
    success: input.peer.scenario.target.x,
  });
  return (
    found && {
      step: found.step,
      role: found.role,
      method: 'family-divergence',
      confidence: Math.min(found.confidence, CONFIDENCE.family),
      detail: found.detail,
    }
  );
}
