import type { SessionEventBody } from '@reverie/contracts';
import {
  candidateSignature,
  gradeRuns,
  localiseByDivergence,
  splitValidationTest,
  type FailureLocalisation,
  type GateOptions,
  type TrainEvidence,
} from '@reverie/dreaming-domain';
import {
  localiseFailure,
  localiseFromFamily,
  landingRun,
  localiseSession,
  guidanceSearchSet,
  MIN_SEARCH_SET,
  outOfReachNote,
  searchGuidance,
  searchRules,
  sharedFlightPool,
  toGuidanceEntries,
  SimulationBudget,
  splitScenarios,
  takeInTurnByFamily,
  inTurnByFamily,
  ReplayRation,
  toPlaybookEntries,
  type RoleName,
} from '@reverie/dreaming-lander';
import {
  expandFamily,
  freshDraws,
  FUEL_TOLERANCE,
  isBundledFamily,
  LUNAR_LANDER_ENVIRONMENT,
  LUNAR_TEAM,
  recordedScenario,
  resolveScenario,
  type LandingResult,
  type ObjectiveScore,
  type RoleRules,
  type Scenario,
  type ScenarioFamily,
} from '@reverie/lunar-lander';
import type {
  Budget,
  CollectedSession,
  EnvironmentDreamer,
  RoleDraft,
  RulesByRole,
  EvaluationSplit,
  SessionVerdict,
  SplitSummary,
} from './environment-dreamer';
import { splitTaskIds, taskDigest } from './environment-dreamer';
import { failedGraded, type OutcomeDefinition } from '@reverie/outcomes-domain';
import { LANDER_DEFAULT_OBJECTIVE } from './default-objectives';

export interface LanderPrepared {
  /** Training scenarios (from reviewed sessions, none held out) and the sessions that flew each. */
  train: Scenario[];
  sessionsByScenario: Map<string, string[]>;
  scenarioOf: Map<string, Scenario>;
  /**
   * The held-out part of every family the sessions flew (and of their own), split in two:
   * validation (choose and gate) and test (the report only). heldOutIds holds both.
   */
  validation: Scenario[];
  test: Scenario[];
  heldOutIds: Set<string>;
  skipped: string[];
  /** Of `validation`, the fresh draws of the input's families (`LanderDreamOptions.families`). */
  fresh: number;
  /**
   * More draws of the input's families, past validation's: training scenarios no session flew,
   * which the guidance search flies after the reviewed ones (`MIN_SEARCH_SET` a family at most).
   */
  searchDraws: Scenario[];
  /** Ids of `searchDraws` the guidance search flew: the dream learned from them (`tasks()`). */
  searched: Set<string>;
}

export interface LanderDreamOptions {
  /** Most scenarios in each of the validation and test splits. */
  maxHeldOut: number;
  /** Worker threads flying the simulations (default: the cores less one; 1 flies in-process). */
  poolSize?: number;
  /** Share of the reflect budget the guidance (continuous parameter) search gets. Default 0.7. */
  guidanceShare?: number;
  /**
   * The families (generators) the input's scenarios were drawn from, when the dreamer has them
   * (an offline dream on a family file). Validation then also flies `FRESH_DRAWS` more draws of
   * each family the sessions flew (`freshDraws`: indices past its `count`, so in no split and
   * never in the test): a handful of held-out scenarios cannot show a law that lands one in
   * twenty less safely, and sixty draws can. The guidance search also flies draws past those
   * (`LanderPrepared.searchDraws`): 46 training scenarios do not show a law's failure one flight
   * in thirty either, and a search that sees them finds laws as frugal that land as safely.
   */
  families?: readonly ScenarioFamily[];
  /** Fresh draws of each family in `families` (default `FRESH_DRAWS`; 0: none). */
  freshDraws?: number;
}

/** Fresh draws of each input family that validation flies besides its held-out scenarios. */
export const FRESH_DRAWS = 60;

/** The guidance search's share of the reflect budget when `guidanceShare` is not set. */
export const DEFAULT_GUIDANCE_SHARE = 0.7;

export const DEFAULT_LANDER_DREAM: LanderDreamOptions = { maxHeldOut: 40 };

/**
 * The lander's validation gate (over DEFAULT_GATE): no regression among <= 40 validation
 * scenarios on its own (2 %), unless the candidate's net gain is at least 3x the landings it
 * loses (one lost needs four more won); a candidate landing as many counts as a gain when the
 * median fuel over the vertical limit of its satisfied landings is 2 % lower. A criterion may fall
 * beyond DEFAULT_GATE's tolerance only at the same price: the net gain at least 3x the landings
 * that gave it up (one landing that is no longer safe needs three more satisfied). Where every
 * validation scenario is satisfied before and after, validation cannot show a gain in landings:
 * a guidance candidate then counts as a gain when the search's own training flights satisfy at
 * least max(2, 3 %) more scenarios than the current rules (`saturatedTrainGain`). A clearly
 * leaner candidate may trade one validation landing for another (`efficiencySwaps`: as many
 * satisfied, a median fuel `FUEL_TOLERANCE` (5 %) lower, and its training flights satisfy no
 * fewer): one landing of twenty says nothing of the rate, and without it a law at 1.1x the limit
 * was refused against day one's 1.7x.
 */
export const LANDER_GATE = {
  maxRegressionShare: 0.02,
  regressionTrade: 3,
  criterionTrade: 3,
  factGains: { 'fuel.over_limit': 0.02 },
  saturatedTrainGain: { minTasks: 2, minShare: 0.03 },
  efficiencySwaps: { tasks: 1, leaner: FUEL_TOLERANCE },
} as const satisfies Partial<GateOptions>;

/**
 * What the gate's `saturatedTrainGain` weighs for a guidance candidate: the search's scores of the
 * current rules and of the candidate on its training set.
 */
export const guidanceTrainEvidence = (
  baseline: ObjectiveScore,
  candidate: ObjectiveScore,
): TrainEvidence => ({
  before: baseline.satisfied,
  after: candidate.satisfied,
  tasks: baseline.flights,
});

const resultOf = (events: readonly SessionEventBody[]): LandingResult | null => {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'observation' && e.data.result) return e.data.result as LandingResult;
  }
  return null;
};

/**
 * lunar-lander dreams: counterfactual localisation and the simulation reflector in the sandbox
 * (the builtin team flying with candidate rules), validated on held-out scenarios.
 */
export class LanderDreamer implements EnvironmentDreamer<LanderPrepared> {
  readonly environment = LUNAR_LANDER_ENVIRONMENT.name;
  readonly roles = LUNAR_TEAM.roles;
  readonly defaultObjective = LANDER_DEFAULT_OBJECTIVE;
  readonly gate = LANDER_GATE;
  /** A sandbox flight keeps its landing result and last step (`landingRun`), not the commands. */
  readonly sandboxRecords = 'result-with-steps' as const;
  readonly eventFilter = {
    $or: [
      { 'body.data.result': { $exists: true } },
      { 'body.data.scenario': { $exists: true } },
      { 'body.name': 'apply_rule' },
      // What the shadow replay and the family comparison read: reports, orders, commands, telemetry.
      { 'body.type': 'message' },
      { 'body.name': { $in: ['command', 'abort'] } },
      { 'body.data.telemetry': { $exists: true } },
    ],
  };

  constructor(private readonly options: LanderDreamOptions = DEFAULT_LANDER_DREAM) {}

  verdict(s: CollectedSession): SessionVerdict {
    const result = resultOf(s.events);
    const scenario = this.scenarioOf(s);
    const firedEntries = s.events
      .filter((e) => e.type === 'action' && e.name === 'apply_rule')
      .flatMap((e) => {
        const entryId = e.type === 'action' ? e.params?.entryId : undefined;
        return typeof entryId === 'string' ? [{ role: e.actor ?? null, entryId }] : [];
      });
    const safe = result?.safe ?? false;
    const graded = s.outcome ? s.outcome.result === 'satisfied' : safe;
    const failure = !safe
      ? (result?.touchdown?.verdict ?? result?.status ?? s.session.endReason ?? 'no result')
      : graded
        ? ''
        : s.outcome!.failedCriteria.join(', ');
    return {
      succeeded: safe && graded,
      failure,
      task: scenario?.id ?? s.session._id,
      firedEntries,
    };
  }

  async prepare(sessions: readonly CollectedSession[]): Promise<LanderPrepared> {
    const scenarioOf = new Map<string, Scenario>();
    const skipped: string[] = [];
    for (const s of sessions) {
      const scenario = this.scenarioOf(s);
      if (scenario) scenarioOf.set(s.session._id, scenario);
      else skipped.push(s.session._id);
    }
    const universe = new Map<string, Scenario>();
    for (const scenario of scenarioOf.values()) universe.set(scenario.id, scenario);
    for (const member of bundledMembersFlown(universe))
      if (!universe.has(member.id)) universe.set(member.id, member);
    const split = splitScenarios([...universe.values()]);
    const heldOutIds = new Set(split.heldOut.map((s) => s.id));
    const sessionsByScenario = new Map<string, string[]>();
    for (const [sessionId, scenario] of scenarioOf) {
      if (heldOutIds.has(scenario.id)) continue;
      const list = sessionsByScenario.get(scenario.id) ?? [];
      list.push(sessionId);
      sessionsByScenario.set(scenario.id, list);
    }
    const train = [...sessionsByScenario.keys()].sort().map((id) => universe.get(id)!);
    const byId = (a: Scenario, b: Scenario) => a.id.localeCompare(b.id);
    const vt = splitValidationTest(split.heldOut, 'reverie/lunar-lander');
    // Capped in turn from each family: a cap by id alone would hold out only the first families.
    const heldOut = takeInTurnByFamily(vt.validation.sort(byId), this.options.maxHeldOut);
    const test = takeInTurnByFamily(vt.test.sort(byId), this.options.maxHeldOut);
    const { fresh, searchDraws } = this.inputDraws(universe);
    const validation = [...heldOut, ...fresh];
    return {
      train,
      sessionsByScenario,
      scenarioOf,
      validation,
      test,
      heldOutIds,
      skipped,
      fresh: fresh.length,
      searchDraws,
      searched: new Set(),
    };
  }

  /**
   * Of each given family the dream's scenarios belong to: `freshDraws` (`FRESH_DRAWS`) draws for
   * validation, then `MIN_SEARCH_SET` past them for the guidance search; ids in no split.
   */
  private inputDraws(universe: ReadonlyMap<string, Scenario>) {
    const flown = new Set([...universe.values()].map((s) => s.family));
    const families = (this.options.families ?? []).filter((f) => flown.has(f.family));
    const n = this.options.freshDraws ?? FRESH_DRAWS;
    const unseen = (s: Scenario) => !universe.has(s.id);
    return {
      fresh: families.flatMap((f) => freshDraws(f, n)).filter(unseen),
      searchDraws: families.flatMap((f) => freshDraws(f, MIN_SEARCH_SET, n)).filter(unseen),
    };
  }

  describeSplit(p: LanderPrepared): SplitSummary {
    const heldOutSessions = [...p.scenarioOf.values()].filter((s) => p.heldOutIds.has(s.id)).length;
    return {
      train: p.train.length,
      validation: p.validation.length,
      test: p.test.length,
      reviewedHeldOut: heldOutSessions,
      trainSessions: new Set([...p.sessionsByScenario.values()].flat()),
      // The search's draws it flew are training too (read once the dream has reflected).
      tasks: () =>
        splitTaskIds({
          ...p,
          train: [...p.train, ...p.searchDraws.filter((s) => p.searched.has(s.id))],
        }),
      note: `splits: train ${p.train.length} scenario(s), validation ${p.validation.length}${p.fresh ? ` (${p.validation.length - p.fresh} held out and ${p.fresh} fresh draws of the input's families, flown by no session and never in the test)` : ''}, test ${p.test.length} (${heldOutSessions} reviewed session(s) flew validation or test scenarios and were not learned from)${p.skipped.length ? `; ${p.skipped.length} session(s) without a readable scenario skipped` : ''}${untestedFamilies(p)}`,
    };
  }

  async localise(
    p: LanderPrepared,
    failed: readonly CollectedSession[],
    successes: readonly CollectedSession[],
    current: RulesByRole,
    budget: Budget,
    progress: (done: number, total: number) => Promise<void>,
    objective: OutcomeDefinition = LANDER_DEFAULT_OBJECTIVE,
  ) {
    const rules = toRoleRules(current);
    const env = this.environment;
    const judge = async (result: LandingResult) => {
      const [g] = await gradeRuns(objective, env, [landingRun('takeover', '', result)]);
      return {
        satisfied: g.satisfied,
        failed: failedGraded(g.criteria).map((c) => c.id),
      };
    };
    const out: FailureLocalisation[] = [];
    let simulations = 0;
    const learnable = failed.filter((s) => {
      const sc = p.scenarioOf.get(s.session._id);
      return sc && !p.heldOutIds.has(sc.id);
    });
    // One counterfactual search per scenario (several sessions may have flown it).
    const byScenario = new Map<string, CollectedSession[]>();
    for (const s of learnable) {
      const id = p.scenarioOf.get(s.session._id)!.id;
      byScenario.set(id, [...(byScenario.get(id) ?? []), s]);
    }
    // In turn from each family, so a budget that runs out has replayed failures of every family.
    const groups = inTurnByFamily(
      [...byScenario].map(([scenarioId, group]) => {
        const scenario = p.scenarioOf.get(group[0].session._id)!;
        return { scenarioId, group, scenario, family: scenario.family };
      }),
    );
    const ration = new ReplayRation();
    // An equal share each, but never so little that the backwards scan cannot reach a step: with
    // a small budget the first failures are localised properly and the rest fall back.
    const per = Math.max(60, Math.floor(budget.simulations / Math.max(1, byScenario.size)));
    let done = 0;
    for (const { scenarioId, group, scenario } of groups) {
      const left = budget.simulations - simulations;
      const replay = left >= 10 && ration.worthReplaying(scenario.family);
      const verdicts = group.map((s) => this.verdict(s));
      // A safe landing that failed the rubric (fuel, say) has no unsafe outcome to replay away.
      const unsafe = !resultOf(group[0].events)?.safe;
      // First the own team's takeovers from the recorded flight and the decisions that stand out
      // of the flying team's habits (see localiseSession: it does not assume the rules in force
      // flew the session), then the one-rule counterfactual, then a successful flight of the
      // same family.
      const session = replay
        ? await localiseSession({
            scenario,
            events: group[0].events,
            current: rules,
            judge,
            maxSimulations: Math.min(80, left - 1),
          })
        : null;
      simulations += session?.simulations ?? 0;
      const shadow = session?.verdict === 'localised' ? session : null;
      const rest = budget.simulations - simulations;
      const spent = new SimulationBudget(Math.min(per, rest));
      const found =
        replay && !shadow && rest >= 30 && unsafe
          ? await localiseFailure(scenario, { current: rules, budget: spent })
          : null;
      simulations += spent.spent;
      if (replay) ration.record(scenario.family, Boolean(shadow || found));
      const peer = shadow || found ? null : this.successOfFamily(p, scenario, successes);
      group.forEach((s, i) => {
        const criteria = failedGraded(s.outcome?.criteria ?? []).map((c) => c.id);
        const fallback =
          shadow ??
          (peer
            ? localiseFromFamily(
                s.events,
                peer.events,
                criteria.length ? criteria : [verdicts[i].failure],
                {
                  failed: scenario.target.x,
                  success: peer.scenario.target.x,
                },
              )
            : null);
        if (!found && fallback) {
          out.push({
            sessionId: s.session._id,
            task: scenarioId,
            failure: verdicts[i].failure,
            step: fallback.step,
            role: fallback.role,
            method: fallback.method.startsWith('takeover') ? 'counterfactual' : 'divergence',
            confidence: fallback.confidence,
            detail: `${fallback.method}: ${fallback.detail}`,
            simulations: i === 0 ? fallback.simulations : 0,
          });
          return;
        }
        if (found)
          out.push({
            sessionId: s.session._id,
            task: scenarioId,
            failure: found.failure,
            step: found.step,
            role: found.role,
            method: 'counterfactual',
            confidence: found.confidence,
            detail: `from step ${found.step} the ${found.role}'s alternative "${found.exampleAlternative.title}" lands safely (${found.successes} of ${found.alternativesTried} alternatives tried there)`,
            simulations: i === 0 ? found.simulations : 0,
          });
        else
          out.push(
            localiseByDivergence(
              {
                sessionId: s.session._id,
                task: scenarioId,
                succeeded: false,
                actions: [],
                failedCriteria: failedGraded(s.outcome?.criteria ?? []).map((c) => ({
                  id: c.id,
                  steps: c.steps,
                })),
                role: null,
              },
              [],
            ),
          );
        if (!found) out[out.length - 1].failure = verdicts[i].failure;
      });
      await progress(++done, byScenario.size);
    }
    const held = ration.summary();
    return {
      localisations: out,
      work: {
        simulations,
        summary: `${out.filter((l) => l.method === 'counterfactual').length} of ${out.length} failed training session(s) localised by replay (shadow replay against the rules in force, or a one-rule counterfactual), ${out.filter((l) => l.method === 'divergence' && l.step !== null).length} by divergence from a successful flight of the family (${byScenario.size} scenario(s), ${simulations} flights)${held.length ? `; replays held back where they placed too few: ${held.join(', ')}` : ''}`,
      },
    };
  }

  /**
   * Two reflectors share the budget: the guidance search (continuous parameters per role and
   * phase, a Pareto front over the objective's criteria on the training split) and the rule
   * search (one-rule additions that turn failed flights safe). Alternatives: the guidance
   * front's best three first, then the rule candidates.
   */
  async reflect(
    p: LanderPrepared,
    current: RulesByRole,
    budget: Budget,
    objective: OutcomeDefinition = LANDER_DEFAULT_OBJECTIVE,
  ) {
    if (!p.train.length)
      return { drafts: [], work: { simulations: 0, summary: 'no training scenarios' } };
    const share = this.options.guidanceShare ?? DEFAULT_GUIDANCE_SHARE;
    const guided = await this.reflectGuidance(
      p,
      current,
      Math.floor(budget.simulations * share),
      objective,
      budget,
    );
    const ruleMax = Math.max(p.train.length + 1, budget.simulations - guided.simulations);
    const total = guided.simulations + ruleMax;
    const report = await searchRules(p.train, toRoleRules(current), {
      maxSimulations: ruleMax,
      onProgress: (flown) =>
        budget.progress?.(guided.simulations + flown, total, 'rule search, flights'),
    });
    const best = report.candidates[0];
    // The best candidate (a combination, when one won) first, then the runners-up: validation
    // takes the first that passes its gate.
    const offset = guided.alternatives;
    const ruleDrafts: RoleDraft[] = report.candidates
      .slice(0, 4)
      .flatMap((cand, alternative) =>
        toPlaybookEntries([cand]).map((d) => roleDraft(p, d, offset + alternative)),
      );
    const drafts = [...guided.drafts, ...ruleDrafts];
    return {
      drafts,
      notes: guided.notes,
      work: {
        simulations: guided.simulations + report.simulations,
        summary:
          `${guided.summary}; ` +
          (best
            ? `searched ${report.screened} of ${report.drawn} rule variations in ${report.simulations} flights; best: ${best.rules.length} rule(s), training safe ${report.baseline.safe} -> ${best.score.safe} of ${report.baseline.flights}`
            : `searched ${report.screened} of ${report.drawn} rule variations in ${report.simulations} flights; none beat the current rules on training scenarios`),
      },
    };
  }

  /**
   * The guidance search's front, best three not refused before as alternatives 0..2 (graded by
   * the objective). Each dream draws with a seed of its own (`GUIDANCE_SEED` + the dreams before
   * it), so a dream after a refusal searches elsewhere instead of finding the refused front again.
   */
  private async reflectGuidance(
    p: LanderPrepared,
    current: RulesByRole,
    simulations: number,
    objective: OutcomeDefinition,
    budget: Budget,
  ) {
    const env = this.environment;
    // The reviewed training scenarios first, then draws of the input's families, in turn by family.
    const train = guidanceSearchSet([...p.train, ...p.searchDraws], simulations);
    const drawn = new Set(p.searchDraws.map((s) => s.id));
    const flownDraws = train.filter((s) => drawn.has(s.id));
    for (const s of flownDraws) p.searched.add(s.id);
    const report = await searchGuidance(train, toRoleRules(current), {
      maxSimulations: Math.max(train.length, simulations),
      seed: GUIDANCE_SEED + (budget.round ?? 0),
      familyTolerance: objective.promotion?.familyTolerance,
      pool: sharedFlightPool(this.options.poolSize),
      // Of the whole stage's flights: the rule search goes on from where this one ends.
      onProgress: (flown) =>
        budget.progress?.(flown, Math.max(budget.simulations, flown), 'guidance search, flights'),
      gradeAll: async (results) =>
        (
          await gradeRuns(
            objective,
            env,
            results.map((r, i) => landingRun(`t${i}`, '', r)),
          )
        ).map((g) => ({
          satisfied: g.satisfied,
          failed: failedGraded(g.criteria).map((c) => c.id),
        })),
    });
    const ids = train.map((s) => s.id);
    const refused = budget.refused ?? new Set<string>();
    const fresh = report.front
      .filter((c) => c.rules.length > 0)
      .map((cand) => ({
        cand,
        drafts: toGuidanceEntries(cand, report.baseline, ids, report.base).map((d) =>
          roleDraft(p, d, 0),
        ),
      }))
      .filter((c) => !refused.has(candidateSignature(c.drafts)))
      .slice(0, 3);
    const better = fresh.map((c) => c.cand);
    const b = report.baseline.score;
    const drafts: RoleDraft[] = fresh.flatMap((c, alternative) => {
      const train = guidanceTrainEvidence(b, c.cand.score);
      return c.drafts.map((d) => ({ ...d, alternative, train }));
    });
    const top = better[0]?.score;
    const outOfReach = outOfReachNote(report.reach);
    return {
      drafts,
      alternatives: better.length,
      simulations: report.simulations,
      notes: outOfReach ? [outOfReach] : [],
      summary: `guidance search (train split): ${report.evaluated} of ${report.screened} parameter sets flown on ${searchSetWords(train.length - flownDraws.length, p.train.length, flownDraws.length)} in ${report.simulations} flights, front of ${report.front.length}; ${
        top
          ? `best ${top.satisfied}/${top.flights} satisfied, median fuel x${top.medianFuelOverLimit?.toFixed(2) ?? '-'} (current ${b.satisfied}/${b.flights}, x${b.medianFuelOverLimit?.toFixed(2) ?? '-'})`
          : 'no parameter set beat the current rules'
      }`,
    };
  }

  /** A successful reviewed session of the same family (training split only), with its scenario. */
  private successOfFamily(
    p: LanderPrepared,
    scenario: Scenario,
    successes: readonly CollectedSession[],
  ) {
    for (const s of successes) {
      const sc = p.scenarioOf.get(s.session._id);
      if (sc && sc.family === scenario.family && !p.heldOutIds.has(sc.id))
        return { events: s.events, scenario: sc };
    }
    return null;
  }

  /** Flies the builtin team with `rules` on every scenario of the split; each run is its result. */
  async evaluate(p: LanderPrepared, split: EvaluationSplit, rules: RulesByRole) {
    const scenarios = split === 'validation' ? p.validation : p.test;
    const roleRules = toRoleRules(rules);
    const results = await sharedFlightPool(this.options.poolSize).flyAll(
      scenarios.map((scenario) => ({ scenario, rules: roleRules })),
    );
    const runs = results.map((result, i) =>
      landingRun(scenarios[i].id, scenarios[i].family ?? '', result),
    );
    return {
      runs,
      work: {
        simulations: scenarios.length,
        summary: `${scenarios.length} ${split} scenario(s) flown`,
      },
    };
  }

  private scenarioOf(s: CollectedSession): Scenario | null {
    const recorded = recordedScenario(s.events);
    if (recorded) return recorded;
    try {
      return s.session.run ? resolveScenario(s.session.run.task as never) : null;
    } catch {
      return null;
    }
  }
}

/**
 * Seeds the first dream's guidance search (`+ Budget.round` for later ones). 17 for the first, as
 * `npm run bench:lander-dreams` seeds its dream N with 16 + N, so the bench flies the product's draws.
 */
export const GUIDANCE_SEED = 17;

/** The rules by role as the builtin team takes them. */
export function toRoleRules(rules: RulesByRole): RoleRules {
  const out: Record<string, unknown> = {};
  for (const [role, list] of rules) if (role) out[role as RoleName] = list;
  return out as RoleRules;
}

/**
 * A searched entry as a draft of one alternative: its evidence names scenarios, and each is
 * traced to at most five of the reviewed sessions that flew it.
 */
function roleDraft(
  p: LanderPrepared,
  d: {
    role: string;
    title: string;
    guidance: string;
    rationale: string;
    rule?: RoleDraft['draft']['rule'];
    evidence: { sessionId: string; note?: string }[];
  },
  alternative: number,
): RoleDraft {
  return {
    role: d.role,
    alternative,
    draft: {
      title: d.title,
      guidance: d.guidance,
      rationale: d.rationale,
      rule: d.rule,
      // A draw no session flew is no evidence a person can open.
      evidence: d.evidence.flatMap((ev) =>
        (
          p.sessionsByScenario.get(ev.sessionId) ??
          (p.searched.has(ev.sessionId) ? [] : [ev.sessionId])
        )
          .slice(0, 5)
          .map((sessionId) => ({
            sessionId,
            note: `${ev.sessionId}: ${ev.note ?? ''}`.trim(),
          })),
      ),
    },
  };
}

/** The guidance search's training set in words: the reviewed scenarios it flew, and draws. */
function searchSetWords(reviewed: number, train: number, draws: number): string {
  const own =
    reviewed === train
      ? `all ${train} training scenarios`
      : `${reviewed} (in turn from each family) of the ${train} training scenarios`;
  return draws ? `${own} and ${draws} more draws of the input's families` : own;
}

/**
 * Every member of the bundled families the dream's scenarios belong to: a family named like a
 * bundled one whose scenarios are not its members (a user's copy of `tight-fuel.json` with other
 * ranges, under the same name) is the user's own, and none of the bundled members join its splits.
 */
function bundledMembersFlown(universe: ReadonlyMap<string, Scenario>): Scenario[] {
  const names = new Set(
    [...universe.values()].flatMap((s) =>
      s.family && isBundledFamily(s.family) ? [s.family] : [],
    ),
  );
  return [...names].flatMap((name) => {
    const members = expandFamily(name);
    const digests = new Map(members.map((m) => [m.id, taskDigest(m)]));
    const own = [...universe.values()].every(
      (s) => s.family !== name || digests.get(s.id) === taskDigest(s),
    );
    return own ? members : [];
  });
}

/**
 * The families with scenarios in the dream but none in its test split (a few scenarios are not
 * held out family by family): their test rate is not reported, which the split note says.
 */
function untestedFamilies(p: LanderPrepared): string {
  const tested = new Set(p.test.map((s) => s.family ?? ''));
  const all = new Set([...p.train, ...p.validation].map((s) => s.family ?? ''));
  const missing = [...all].filter((f) => !tested.has(f)).sort();
  if (!p.test.length || !missing.length) return '';
  return `; no test scenario for ${missing.map((f) => (f ? `family ${f}` : 'scenarios of no family')).join(', ')} (too few scenarios to hold out from each family), so no test rate for ${missing.length > 1 ? 'them' : 'it'}`;
}
