/**
 * `node -r @swc-node/register bench/lander-localisation.ts`: how often the lunar localiser names the right step and
 * role of a known bad decision, when it does not know the policy that flew.
 *
 * Pilots: teams whose parameters differ from the localiser's own (day-one) team, drawn from the
 * fault seed: perturbed gains, schedules, phase altitudes, radar smoothing and scan rate, some
 * with the late-ignition guidance law. Each flies scenarios of every family (day-one and stress);
 * into a pilot's flight that satisfies the rubric, one fault is planted (a role, a first step, a
 * length of 1-10 steps, a kind: engine cut, full burn, hard tilt, 400 m retarget, hover hold,
 * altitude misreport, frozen velocity). The localiser gets what a dream gets: the recorded
 * session events (without the pilot's `apply_rule` events, which would give its parameters
 * away), the scenario as recorded, the rubric as a judge, a successful session of the same
 * family, and its own playbook. It never sees the pilot, the fault or the seed.
 *
 * Cases: planted faults that fail the rubric (scored: a step hit is within +-2 of the planted
 * first step, a role hit names the planted role); planted faults that leave the flight satisfied
 * (the localiser should say there is nothing to place); pilots' own failures without a plant
 * (reported as they come: no known answer). Writes bench/results/lander-localisation-*.json.
 *
 *   node -r @swc-node/register bench/lander-localisation.ts [--seed 1606 --per-family 6 --no-write --no-old --out <dir>]
 */
import type { SessionEventBody } from '@reverie/contracts';
import {
  FAULT_KINDS,
  fitTeam,
  flyWithFault,
  localiseByShadowReplay,
  localiseSession,
  NO_FAULT,
  outlierScores,
  recordedSteps,
  shadowReplay,
  ONE_STEP_FAULTS,
  ROLE_DEFAULTS,
  type PlantedFault,
  type RoleName,
  type SessionLocalisation,
} from '@reverie/dreaming-lander';
import {
  allFamilyNames,
  expandFamily,
  recordedScenario,
  rubricJudge,
  type LandingResult,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import { machineInfo, writeResult } from './support/report';

const ROLES: RoleName[] = ['navigator', 'commander', 'detector'];
/** The localiser's own playbook: the day-one team (no rules). The pilots differ from it. */
const OWN_PLAYBOOK: RoleRules = {};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** mulberry32: the fault generator's only source of chance. */
function generator(seed: number) {
  let s = seed | 0;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (lo: number, hi: number) => lo + (hi - lo) * next(),
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
    shuffle<T>(xs: readonly T[]): T[] {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}
type Generator = ReturnType<typeof generator>;

/** Parameters a pilot may fly differently, with the range a draw takes them from. */
const PILOT_RANGES: Record<RoleName, Record<string, [number, number]>> = {
  navigator: {
    descentRateGain: [0.05, 0.2],
    verticalGain: [0.3, 1.0],
    positionGain: [0.03, 0.1],
    velocityGain: [0.15, 0.6],
    maxTiltDeg: [20, 45],
    minDescentRate: [0.3, 1.2],
    maxApproachSpeed: [25, 80],
    maxBrakingSpeed: [8, 25],
  },
  commander: { brakingAltitude: [300, 900], terminalAltitude: [30, 100], hoverDistance: [8, 25] },
  detector: { altitudeSmoothing: [0, 0.5], scanEvery: [2, 8] },
};

/**
 * A pilot: each parameter redrawn with probability one half; half fly late ignition, half of
 * those shutting the engine off between burns (what lands the tight-fuel family).
 */
function drawPilot(rng: Generator, index: number): { name: string; rules: RoleRules } {
  const rules: Record<string, PlaybookRuleLike[]> = {};
  for (const role of ROLES) {
    const params: Record<string, number> = {};
    for (const [param, [lo, hi]] of Object.entries(PILOT_RANGES[role]))
      if (rng.next() < 0.5) {
        const v = rng.between(lo, hi);
        params[param] = param === 'scanEvery' ? Math.round(v) : Number(v.toPrecision(3));
      }
    if (role === 'navigator' && rng.next() < 0.5) {
      params.guidanceLaw = 1;
      params.brakingAccelFraction = Number(rng.between(0.6, 0.9).toPrecision(3));
      params.flareAltitude = Number(rng.between(5, 30).toPrecision(3));
      if (rng.next() < 0.5) params.engineOffBelow = Number(rng.between(0.03, 0.1).toPrecision(3));
    }
    for (const p of Object.keys(params)) if (params[p] === ROLE_DEFAULTS[role][p]) delete params[p];
    if (Object.keys(params).length)
      rules[role] = [
        {
          entryId: `pilot-${index}.${role}`,
          title: `pilot ${index}: ${role} parameters`,
          when: { feature: 'step', op: 'gte', value: 0 },
          then: { action: 'set', params },
        },
      ];
  }
  return { name: `pilot-${index}`, rules: rules as RoleRules };
}
type PlaybookRuleLike = NonNullable<RoleRules['navigator']>[number];

/** The session as a dream reads it: without the pilot's rule firings (its parameters). */
function asDreamSees(events: readonly SessionEventBody[]): SessionEventBody[] {
  return events.filter(
    (e) =>
      !(e.type === 'action' && e.name === 'apply_rule') &&
      !(e.type === 'observation' && e.data.skippedRules),
  );
}

function drawFault(rng: Generator, role: RoleName, steps: number): PlantedFault {
  const kind = rng.pick(FAULT_KINDS[role]);
  const length = ONE_STEP_FAULTS.includes(kind) ? 1 : rng.int(1, 10);
  return { role, kind, step: rng.int(2, Math.max(2, steps - 6)), steps: length };
}

interface Flight {
  scenario: Scenario;
  pilot: string;
  result: LandingResult;
  events: SessionEventBody[];
}

interface Row {
  case: 'planted-failure' | 'planted-harmless' | 'unplanted-failure';
  scenario: string;
  family: string;
  pilot: string;
  fault: PlantedFault | null;
  failed: string[];
  found: Pick<
    SessionLocalisation,
    | 'verdict'
    | 'step'
    | 'role'
    | 'method'
    | 'confidence'
    | 'lastRecoverable'
    | 'simulations'
    | 'fitted'
  >;
  stepHit: boolean | null;
  roleHit: boolean | null;
  /** The previous localiser (shadow replay against the own team) on the same session. */
  old: { step: number; role: string; confidence: number } | null;
  oldStepHit: boolean | null;
  oldRoleHit: boolean | null;
}

const judge = rubricJudge();

async function fly(
  scenario: Scenario,
  pilot: { name: string; rules: RoleRules },
  fault?: PlantedFault,
) {
  const run = await flyWithFault(scenario, pilot.rules, fault ?? NO_FAULT);
  return { scenario, pilot: pilot.name, result: run.result, events: run.events } as Flight;
}

async function localise(flight: Flight, peer: Flight | null) {
  const events = asDreamSees(flight.events);
  const scenario = recordedScenario(events);
  if (!scenario) throw new Error(`session of ${flight.scenario.id} records no scenario`);
  return localiseSession({
    scenario,
    events,
    current: OWN_PLAYBOOK,
    judge,
    peer: peer && { scenario: peer.scenario, events: asDreamSees(peer.events) },
  });
}

async function oldLocalise(flight: Flight) {
  const events = asDreamSees(flight.events);
  const found = await localiseByShadowReplay(flight.scenario, events, OWN_PLAYBOOK);
  return found && { step: found.step, role: found.role, confidence: found.confidence };
}

async function familyRows(
  family: string,
  rng: Generator,
  pilots: { name: string; rules: RoleRules }[],
  opts: { perFamily: number; old: boolean },
): Promise<Row[]> {
  const rows: Row[] = [];
  const scenarios = rng.shuffle(expandFamily(family));
  // Every pilot in turn, the first whose flight satisfies the rubric kept (stress
  // families defeat most pilots); when none does, the first pilot's failure is kept.
  const clean: Flight[] = [];
  for (const scenario of scenarios) {
    let first: Flight | null = null;
    for (const pilot of rng.shuffle(pilots)) {
      const f = await fly(scenario, pilot);
      first ??= f;
      if (judge(f.result).satisfied) {
        first = f;
        break;
      }
    }
    clean.push(first!);
  }
  const peerFor = (f: Flight) =>
    clean.find((c) => c.scenario.id !== f.scenario.id && judge(c.result).satisfied) ?? null;
  const count = (c: Row['case']) => rows.filter((r) => r.case === c).length;
  let turn = 0;
  for (const flight of clean) {
    const pilot = pilots.find((p) => p.name === flight.pilot)!;
    if (!judge(flight.result).satisfied) {
      if (count('unplanted-failure') >= 2) continue;
      rows.push(await row('unplanted-failure', flight, null, peerFor(flight), opts.old));
      continue;
    }
    if (count('planted-failure') >= opts.perFamily) continue;
    const fault = drawFault(rng, ROLES[turn++ % ROLES.length], flight.result.steps);
    const faulty = await fly(flight.scenario, pilot, fault);
    const harmless = judge(faulty.result).satisfied;
    if (harmless && count('planted-harmless') >= 2) continue;
    rows.push(
      await row(
        harmless ? 'planted-harmless' : 'planted-failure',
        faulty,
        fault,
        peerFor(faulty),
        opts.old && !harmless,
      ),
    );
  }
  return rows;
}

async function row(
  kind: Row['case'],
  flight: Flight,
  fault: PlantedFault | null,
  peer: Flight | null,
  withOld: boolean,
): Promise<Row> {
  const found = await localise(flight, peer);
  if (process.env.DUMP_GAPS && kind === 'planted-failure' && fault)
    await dump(flight, fault, found);
  const old = withOld ? await oldLocalise(flight) : null;
  const scored = kind === 'planted-failure' && fault;
  const near = (s: number | null | undefined) =>
    s != null && !!fault && Math.abs(s - fault.step) <= 2;
  return {
    case: kind,
    scenario: flight.scenario.id,
    family: flight.scenario.family,
    pilot: flight.pilot,
    fault,
    failed: judge(flight.result).failed,
    found: {
      verdict: found.verdict,
      step: found.step,
      role: found.role,
      method: found.method,
      confidence: found.confidence,
      lastRecoverable: found.lastRecoverable,
      simulations: found.simulations,
      fitted: found.fitted,
    },
    stepHit: scored ? near(found.step) : null,
    roleHit: scored ? found.role === fault.role : null,
    old,
    oldStepHit: scored && withOld ? near(old?.step) : null,
    oldRoleHit: scored && withOld ? old?.role === fault.role : null,
  };
}

async function dump(flight: Flight, fault: PlantedFault, found: SessionLocalisation) {
  const hit =
    found.step !== null && Math.abs(found.step - fault.step) <= 2 && found.role === fault.role;
  if (hit) return;
  const events = asDreamSees(flight.events);
  const recorded = recordedSteps(flight.scenario, events);
  const own = await shadowReplay(flight.scenario, recorded, OWN_PLAYBOOK);
  const fitted = fitTeam(flight.scenario, recorded, OWN_PLAYBOOK, own.gaps);
  const { gaps } = await shadowReplay(flight.scenario, recorded, fitted.rules);
  const z = outlierScores(gaps);
  console.log(`  fitted ${JSON.stringify(fitted.roles)}`);
  console.log(
    `MISS ${flight.scenario.id} ${flight.pilot} ${JSON.stringify(fault)} found ${found.step} ${found.role} ${found.method} k*=${found.lastRecoverable}`,
  );
  const from = Math.max(0, Math.min(fault.step, found.step ?? 1e9) - 6);
  const to = Math.min(
    gaps.length - 1,
    Math.max(fault.step + fault.steps, found.lastRecoverable ?? 0, found.step ?? 0) + 3,
  );
  for (let t = from; t <= to; t++)
    console.log(
      `  ${t}: ` +
        ROLES.map(
          (r) => `${r[0]} g${(gaps[t]?.[r] ?? NaN).toFixed(1)} z${(z[t]?.[r] ?? NaN).toFixed(1)}`,
        ).join(' | '),
    );
}

/** Step, role and both accuracies over scored rows. */
function accuracy(rows: readonly Row[]) {
  const n = rows.length;
  const share = (k: number) => (n ? Number((k / n).toFixed(3)) : null);
  return {
    n,
    step: share(rows.filter((r) => r.stepHit).length),
    role: share(rows.filter((r) => r.roleHit).length),
    both: share(rows.filter((r) => r.stepHit && r.roleHit).length),
  };
}

function groupBy(rows: readonly Row[], key: (r: Row) => string) {
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries([...groups].sort().map(([k, rs]) => [k, accuracy(rs)]));
}

const lengthBucket = (f: PlantedFault) => (f.steps === 1 ? '1' : f.steps <= 4 ? '2-4' : '5-10');
const confidenceBucket = (c: number) =>
  c >= 0.7 ? '0.7-1.0' : c >= 0.4 ? '0.4-0.7' : c >= 0.2 ? '0.2-0.4' : '0.0-0.2';

function summarise(rows: readonly Row[]) {
  const scored = rows.filter((r) => r.case === 'planted-failure');
  const harmless = rows.filter((r) => r.case === 'planted-harmless');
  const unplanted = rows.filter((r) => r.case === 'unplanted-failure');
  const withOld = scored.filter((r) => r.oldStepHit !== null);
  const count = (rs: readonly Row[], key: (r: Row) => string) => {
    const out: Record<string, number> = {};
    for (const r of rs) out[key(r)] = (out[key(r)] ?? 0) + 1;
    return out;
  };
  return {
    overall: accuracy(scored),
    byRole: groupBy(scored, (r) => r.fault!.role),
    byKind: groupBy(scored, (r) => r.fault!.kind),
    byFamily: groupBy(scored, (r) => r.family),
    byLength: groupBy(scored, (r) => lengthBucket(r.fault!)),
    byMethod: groupBy(scored, (r) => r.found.method),
    calibration: Object.fromEntries(
      Object.entries(groupBy(scored, (r) => confidenceBucket(r.found.confidence))).map(
        ([bucket, a]) => {
          const mine = scored.filter((r) => confidenceBucket(r.found.confidence) === bucket);
          const mean = mine.reduce((s, r) => s + r.found.confidence, 0) / mine.length;
          return [bucket, { ...a, meanConfidence: Number(mean.toFixed(3)) }];
        },
      ),
    ),
    harmless: {
      n: harmless.length,
      saidSatisfied: harmless.filter((r) => r.found.verdict === 'satisfied').length,
      inventedStep: harmless.filter((r) => r.found.step !== null).length,
    },
    unplantedFailures: {
      n: unplanted.length,
      byMethod: count(unplanted, (r) => r.found.method),
      unplaced: unplanted.filter((r) => r.found.verdict === 'unplaced').length,
      meanConfidence: unplanted.length
        ? Number(
            (unplanted.reduce((s, r) => s + r.found.confidence, 0) / unplanted.length).toFixed(3),
          )
        : null,
    },
    oldLocaliser: withOld.length
      ? {
          n: withOld.length,
          step: Number((withOld.filter((r) => r.oldStepHit).length / withOld.length).toFixed(3)),
          role: Number((withOld.filter((r) => r.oldRoleHit).length / withOld.length).toFixed(3)),
          both: Number(
            (withOld.filter((r) => r.oldStepHit && r.oldRoleHit).length / withOld.length).toFixed(
              3,
            ),
          ),
        }
      : null,
  };
}

function print(summary: ReturnType<typeof summarise>) {
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)} %`);
  const line = (label: string, a: ReturnType<typeof accuracy>) =>
    console.log(
      `  ${label.padEnd(18)} n=${String(a.n).padStart(3)}  step ${pct(a.step).padStart(7)}  role ${pct(a.role).padStart(7)}  both ${pct(a.both).padStart(7)}`,
    );
  line('overall', summary.overall);
  for (const [title, group] of [
    ['by role', summary.byRole],
    ['by kind', summary.byKind],
    ['by family', summary.byFamily],
    ['by length', summary.byLength],
    ['by method', summary.byMethod],
    ['by confidence', summary.calibration],
  ] as const) {
    console.log(title);
    for (const [k, a] of Object.entries(group)) line(k, a);
  }
  console.log(`harmless plants: ${JSON.stringify(summary.harmless)}`);
  console.log(`unplanted failures: ${JSON.stringify(summary.unplantedFailures)}`);
  console.log(`old localiser on the same plants: ${JSON.stringify(summary.oldLocaliser)}`);
}

async function main() {
  const seed = Number(arg('seed') ?? 1606);
  const perFamily = Number(arg('per-family') ?? 6);
  const old = !process.argv.includes('--no-old');
  const rng = generator(seed);
  const pilots = Array.from({ length: 10 }, (_, i) => drawPilot(rng, i));
  const started = Date.now();
  const rows: Row[] = [];
  for (const family of allFamilyNames()) {
    const mine = await familyRows(family, rng, pilots, { perFamily, old });
    rows.push(...mine);
    console.log(
      `${family}: ${mine.filter((r) => r.case === 'planted-failure').length} planted failures (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  const summary = summarise(rows);
  print(summary);
  if (process.argv.includes('--misses'))
    for (const r of rows.filter((x) => x.case === 'planted-failure' && !(x.stepHit && x.roleHit)))
      console.log(
        JSON.stringify({ s: r.scenario, p: r.pilot, f: r.fault, failed: r.failed, found: r.found }),
      );
  if (process.argv.includes('--no-write')) return;
  const out = arg('out');
  const path = writeResult(
    {
      benchmark: 'lander-localisation',
      date: new Date().toISOString(),
      node: process.version,
      machine: machineInfo(),
      seconds: (Date.now() - started) / 1000,
      faultSeed: seed,
      perFamily,
      ownPlaybook: 'day-one (no rules)',
      pilots,
      summary,
      rows,
    } as { benchmark: string; date: string },
    ...(out ? [out] : []),
  );
  console.log(`written to ${path}`);
}

main().catch((err: Error) => {
  console.error(`bench:lander-localisation: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
