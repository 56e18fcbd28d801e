import {
  command,
  COMMANDER,
  COMMANDER_DEFAULTS,
  detect,
  DETECTOR,
  DETECTOR_DEFAULTS,
  LanderSimulator,
  navigate,
  NAVIGATOR,
  NAVIGATOR_DEFAULTS,
  type Orders,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import {
  commandGap,
  ordersGap,
  reportGap,
  type RecordedStep,
  type StepGaps,
} from './shadow-replay';

/**
 * A recorded step's gap counts at most this much (tolerance units) in a fit's loss: a few steps
 * that depart far (a bad decision) cannot pull the fit away from the rest of the flight.
 */
const CAP = 3;
/** Multiples of a parameter tried in turn, coarse to fine. */
const FACTORS: readonly (readonly number[])[] = [
  [0.25, 0.5, 2, 4],
  [0.6, 0.8, 1.25, 1.6],
  [0.9, 0.95, 1.05, 1.1],
];
/** Values tried for a parameter at 0 (where multiples say nothing). */
const FROM_ZERO = [0.02, 0.05, 0.1, 0.2, 0.4];
/** A fit replaces the own team's parameters only when its loss is at most this share of theirs. */
const BETTER = 0.8;

type Params = Record<string, number>;

export interface FittedTeam {
  /** The reference team: the own playbook with the roles the fit explains better replaced. */
  rules: RoleRules;
  /** Per fitted role: the parameters that differ from the day-one ones, and the losses. */
  roles: Partial<Record<string, { params: Params; loss: number; ownLoss: number }>>;
}

/**
 * The parameters under which each role's recorded decisions are best explained: a behaviour
 * clone of the team that flew, inside the roles' own parameter spaces. The Detector is fitted on
 * its recorded reports (from the sensor readings and scans of the craft flown by the recorded
 * commands), the Commander on its recorded orders (from the recorded report and the orders
 * before), the Navigator on its recorded commands (from the recorded report and orders), each by
 * coordinate search over its parameters with a capped loss (`CAP`), so the few steps of a bad
 * decision weigh little. A role whose fit explains the flight clearly better than the own
 * playbook (`BETTER`, against the shadow replay's gaps) flies as fitted in the reference team.
 *
 * Against that reference a team that differs from the localiser's own habits everywhere departs
 * only where it departed from its own habits, and a takeover from a step is "the same team
 * carrying on as usual from there".
 */
export function fitTeam(
  scenario: Scenario,
  recorded: readonly RecordedStep[],
  current: RoleRules,
  /** Each role's gaps to the own team in the shadow replay (its loss is theirs, capped). */
  ownGaps: readonly (StepGaps | undefined)[],
): FittedTeam {
  const period = 1 / scenario.timing.decisionHz;
  const fuelAtStart = scenario.craft.fuelKg;
  const navSteps = recorded.flatMap((r, step) =>
    r.report && r.command ? [{ step, report: r.report, orders: r.orders, command: r.command }] : [],
  );
  const navLoss = (params: Params, bound = Infinity) => {
    let sum = 0;
    for (const s of navSteps) {
      const out = navigate(
        s.report,
        s.orders,
        params as typeof NAVIGATOR_DEFAULTS,
        [],
        s.step > 0 ? period : undefined,
      );
      sum += Math.min(
        CAP,
        commandGap({ throttle: out.throttle, pitch: (out.pitchDeg * Math.PI) / 180 }, s.command),
      );
      if (sum >= bound) return sum;
    }
    return sum;
  };
  let before: Orders = { phase: 'approach', siteX: scenario.target.x };
  const cmdSteps = recorded.flatMap((r) => {
    const prev = before;
    before = r.orders;
    return r.report
      ? [{ report: r.report, previous: prev, orders: r.orders, abort: !!r.abort }]
      : [];
  });
  const cmdLoss = (params: Params, bound = Infinity) => {
    let sum = 0;
    for (const s of cmdSteps) {
      const { orders } = command(
        s.report,
        s.previous,
        fuelAtStart,
        params as typeof COMMANDER_DEFAULTS,
      );
      const gap = s.abort ? (orders.phase === 'abort' ? 0 : 2) : ordersGap(orders, s.orders);
      sum += Math.min(CAP, gap);
      if (sum >= bound) return sum;
    }
    return sum;
  };
  const sensed = sensorLog(scenario, recorded);
  const detLoss = (params: Params, bound = Infinity) => {
    let sum = 0;
    let memory: Parameters<typeof detect>[3] = { scan: null, altitude: null };
    const every = Math.max(1, Math.round(params.scanEvery));
    for (const s of sensed) {
      const wantsScan = s.step % every === 0 || memory.scan === null;
      const out = detect(
        s.reading,
        wantsScan ? s.scan : null,
        s.orders.siteX,
        memory,
        params as typeof DETECTOR_DEFAULTS,
      );
      memory = out.memory;
      if (!s.report) continue;
      sum += Math.min(CAP, reportGap(out.report, s.report));
      if (sum >= bound) return sum;
    }
    return sum;
  };
  const rules: RoleRules = { ...current };
  const roles: FittedTeam['roles'] = {};
  const fits = [
    {
      role: NAVIGATOR,
      defaults: NAVIGATOR_DEFAULTS as Params,
      loss: navLoss,
      n: navSteps.length,
      starts: [{}, { guidanceLaw: 1 }, { guidanceLaw: 1, engineOffBelow: 0.05 }],
      choices: { guidanceLaw: [0, 1] } as Record<string, number[]>,
    },
    {
      role: DETECTOR,
      defaults: DETECTOR_DEFAULTS as Params,
      loss: detLoss,
      n: sensed.filter((x) => x.report).length,
      starts: [{}],
      choices: {} as Record<string, number[]>,
    },
    {
      role: COMMANDER,
      defaults: COMMANDER_DEFAULTS as Params,
      loss: cmdLoss,
      n: cmdSteps.length,
      starts: [{}],
      choices: {} as Record<string, number[]>,
    },
  ] as const;
  for (const fit of fits) {
    if (!fit.n) continue;
    const ownLoss = ownGaps.reduce((s, g) => s + Math.min(CAP, g?.[fit.role] ?? 0), 0);
    let best: { params: Params; loss: number } | null = null;
    for (const start of fit.starts) {
      const found = coordinateSearch(
        { ...fit.defaults, ...start },
        fit.defaults,
        fit.loss,
        fit.choices,
      );
      if (!best || found.loss < best.loss) best = found;
    }
    if (!best || !(best.loss < BETTER * ownLoss)) continue;
    const params = Object.fromEntries(
      Object.entries(best.params).filter(([k, v]) => v !== fit.defaults[k]),
    );
    roles[fit.role] = { params, loss: best.loss, ownLoss };
    rules[fit.role] = [
      {
        entryId: `fitted.${fit.role}`,
        title: `${fit.role} parameters fitted to the recorded flight`,
        when: { feature: 'step', op: 'gte', value: 0 },
        then: { action: 'set', params },
      },
    ];
  }
  return { rules, roles };
}

/** Coordinate search: each parameter in turn to the value that lowers the loss most, coarse to fine. */
function coordinateSearch(
  start: Params,
  defaults: Params,
  loss: (p: Params, bound?: number) => number,
  choices: Record<string, readonly number[]>,
): { params: Params; loss: number } {
  let params = { ...start };
  let best = loss(params);
  for (const factors of FACTORS)
    for (let round = 0; round < 3; round++) {
      let improved = false;
      for (const key of Object.keys(params)) {
        const now = params[key];
        const whole = Number.isInteger(defaults[key]) && defaults[key] !== 0;
        const values =
          choices[key] ??
          (now === 0 ? FROM_ZERO : [0, ...factors.map((f) => Number((f * now).toPrecision(4)))]);
        for (const raw of values) {
          const v = whole ? Math.max(1, Math.round(raw)) : raw;
          if (v === params[key]) continue;
          const trial = { ...params, [key]: v };
          const l = loss(trial, best);
          if (l < best - 1e-9) {
            params = trial;
            best = l;
            improved = true;
          }
        }
      }
      if (!improved) break;
    }
  return { params, loss: best };
}

/**
 * What the Detector had to read at each recorded step: the craft flown by the recorded commands,
 * its sensor readings and terrain scan (both deterministic per tick), the orders in force before
 * the step's decision and the report the recorded Detector made.
 */
function sensorLog(scenario: Scenario, recorded: readonly RecordedStep[]) {
  const sim = LanderSimulator.start(scenario);
  let orders: Orders = { phase: 'approach', siteX: scenario.target.x };
  const out: {
    step: number;
    reading: ReturnType<LanderSimulator['sense']>;
    scan: ReturnType<LanderSimulator['scan']>;
    orders: Orders;
    report: RecordedStep['report'];
  }[] = [];
  for (let step = 0; !sim.done; step++) {
    const rec = recorded[step];
    if (!rec) break;
    out.push({ step, reading: sim.sense(), scan: sim.scan(), orders, report: rec.report });
    orders = rec.orders;
    if (rec.abort || !rec.command) break;
    sim.command(rec.command);
    sim.advance();
  }
  return out;
}
