import type { SessionEventBody } from '@reverie/contracts';
import {
  localiseByDivergence,
  type FailureLocalisation,
  type ValidationMetrics,
} from '@reverie/dreaming-domain';
import {
  localiseFailure,
  searchRules,
  SimulationBudget,
  splitScenarios,
  toPlaybookEntries,
  validateRules,
  type RoleName,
} from '@reverie/dreaming-lander';
import {
  expandFamily,
  familyNames,
  LUNAR_LANDER_ENVIRONMENT,
  LUNAR_TEAM,
  recordedScenario,
  resolveScenario,
  type LandingResult,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import type {
  Budget,
  CollectedSession,
  EnvironmentDreamer,
  RoleDraft,
  RulesByRole,
  SessionVerdict,
} from './environment-dreamer';

export interface LanderPrepared {
  /** Training scenarios (from reviewed sessions, none held out) and the sessions that flew each. */
  train: Scenario[];
  sessionsByScenario: Map<string, string[]>;
  scenarioOf: Map<string, Scenario>;
  /** Held-out scenarios: the held-out part of every family the sessions flew, and of their own. */
  heldOut: Scenario[];
  heldOutIds: Set<string>;
  skipped: string[];
}

export interface LanderDreamOptions {
  /** Most held-out scenarios validated on. */
  maxHeldOut: number;
  /** More held-out safe landings the candidate must make than the current rules. */
  margin: number;
  /** Held-out scenarios safe today that may fail with the candidate. */
  tolerance: number;
}

export const DEFAULT_LANDER_DREAM: LanderDreamOptions = { maxHeldOut: 40, margin: 1, tolerance: 0 };

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
  readonly eventFilter = {
    $or: [
      { 'body.data.result': { $exists: true } },
      { 'body.data.scenario': { $exists: true } },
      { 'body.name': 'apply_rule' },
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
    const known = new Set(familyNames());
    for (const scenario of scenarioOf.values()) {
      universe.set(scenario.id, scenario);
      if (scenario.family && known.has(scenario.family))
        for (const member of expandFamily(scenario.family)) universe.set(member.id, member);
    }
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
    const heldOut = split.heldOut
      .slice()
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, this.options.maxHeldOut);
    return { train, sessionsByScenario, scenarioOf, heldOut, heldOutIds, skipped };
  }

  describeSplit(p: LanderPrepared) {
    const heldOutSessions = [...p.scenarioOf.values()].filter((s) => p.heldOutIds.has(s.id)).length;
    return {
      train: p.scenarioOf.size - heldOutSessions,
      heldOut: heldOutSessions,
      note: `${p.train.length} training scenario(s); ${p.heldOut.length} held-out scenario(s) for validation (${heldOutSessions} reviewed session(s) flew held-out scenarios and were not learned from)${p.skipped.length ? `; ${p.skipped.length} session(s) without a readable scenario skipped` : ''}`,
    };
  }

  async localise(
    p: LanderPrepared,
    failed: readonly CollectedSession[],
    _successes: readonly CollectedSession[],
    current: RulesByRole,
    budget: Budget,
    progress: (done: number, total: number) => Promise<void>,
  ) {
    const rules = toRoleRules(current);
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
    // An equal share each, but never so little that the backwards scan cannot reach a step: with
    // a small budget the first failures are localised properly and the rest fall back.
    const per = Math.max(60, Math.floor(budget.simulations / Math.max(1, byScenario.size)));
    let done = 0;
    for (const [scenarioId, group] of byScenario) {
      const scenario = p.scenarioOf.get(group[0].session._id)!;
      const left = budget.simulations - simulations;
      const verdicts = group.map((s) => this.verdict(s));
      // A safe landing that failed the rubric (fuel, say) has no unsafe outcome to replay away.
      const unsafe = !resultOf(group[0].events)?.safe;
      const spent = new SimulationBudget(Math.min(per, left));
      const found =
        left >= 30 && unsafe
          ? await localiseFailure(scenario, { current: rules, budget: spent })
          : null;
      simulations += spent.spent;
      group.forEach((s, i) => {
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
                failedCriteria: (s.outcome?.criteria ?? [])
                  .filter((c) => !c.passed)
                  .map((c) => ({ id: c.id, steps: c.steps })),
                role: null,
              },
              [],
            ),
          );
        if (!found) out[out.length - 1].failure = verdicts[i].failure;
      });
      await progress(++done, byScenario.size);
    }
    return {
      localisations: out,
      work: {
        simulations,
        summary: `${out.filter((l) => l.method === 'counterfactual').length} of ${out.length} failed training session(s) localised by counterfactual replay (${byScenario.size} scenario(s), ${simulations} flights)`,
      },
    };
  }

  async reflect(p: LanderPrepared, current: RulesByRole, budget: Budget) {
    if (!p.train.length)
      return { drafts: [], work: { simulations: 0, summary: 'no training scenarios' } };
    const report = await searchRules(p.train, toRoleRules(current), {
      maxSimulations: Math.max(p.train.length + 1, budget.simulations),
    });
    const best = report.candidates[0];
    // The best candidate (a combination, when one won) first, then the runners-up: validation
    // takes the first that passes its gate.
    const drafts: RoleDraft[] = report.candidates.slice(0, 4).flatMap((cand, alternative) =>
      toPlaybookEntries([cand]).map((d) => ({
        role: d.role,
        alternative,
        draft: {
          title: d.title,
          guidance: d.guidance,
          rationale: d.rationale,
          rule: d.rule,
          evidence: d.evidence.flatMap((ev) =>
            (p.sessionsByScenario.get(ev.sessionId) ?? [ev.sessionId])
              .slice(0, 5)
              .map((sessionId) => ({
                sessionId,
                note: `${ev.sessionId}: ${ev.note ?? ''}`.trim(),
              })),
          ),
        },
      })),
    );
    return {
      drafts,
      work: {
        simulations: report.simulations,
        summary: best
          ? `searched ${report.screened} of ${report.drawn} rule variations in ${report.simulations} flights; best: ${best.rules.length} rule(s), training safe ${report.baseline.safe} -> ${best.score.safe} of ${report.baseline.flights}`
          : `searched ${report.screened} of ${report.drawn} rule variations in ${report.simulations} flights; none beat the current rules on training scenarios`,
      },
    };
  }

  async validate(p: LanderPrepared, current: RulesByRole, candidate: RulesByRole) {
    const v = await validateRules(p.heldOut, toRoleRules(current), toRoleRules(candidate), {
      margin: this.options.margin,
      tolerance: this.options.tolerance,
    });
    const metrics: ValidationMetrics = {
      heldOut: p.heldOut.length,
      metric: 'safe landings',
      before: v.current.safe,
      after: v.candidate.safe,
      extra: {
        safe_rate_before: v.current.safeRate,
        safe_rate_after: v.candidate.safeRate,
        fuel_over_limit_before: v.current.meanFuelOverLimit,
        fuel_over_limit_after: v.candidate.meanFuelOverLimit,
      },
      regressions: v.regressions,
      improvements: v.improvements,
      promote: v.promote && p.heldOut.length > 0,
      reason: p.heldOut.length ? v.reason : 'no held-out scenarios to validate on',
    };
    return {
      metrics,
      work: { simulations: v.simulations, summary: metrics.reason },
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

/** The rules by role as the builtin team takes them. */
export function toRoleRules(rules: RulesByRole): RoleRules {
  const out: Record<string, unknown> = {};
  for (const [role, list] of rules) if (role) out[role as RoleName] = list;
  return out as RoleRules;
}
