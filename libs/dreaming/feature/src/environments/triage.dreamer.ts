import { join } from 'node:path';
import {
  CI_LOG_TRIAGE_ENVIRONMENT,
  DEFAULT_SPLIT,
  loadDataset,
  runBuiltinTriage,
  splitCases,
  toLineRules,
  type TriageCase,
} from '@reverie/ci-log-triage';
import type { SessionEventBody } from '@reverie/contracts';
import {
  localiseByDivergence,
  splitValidationTest,
  type FailureLocalisation,
  type ObservedSession,
} from '@reverie/dreaming-domain';
import {
  DEFAULT_VALIDATION,
  searchAlternatives,
  searchTriageRules,
  toTriageEntries,
  TRIAGE_TRADE,
} from '@reverie/dreaming-triage';
import { failedGraded } from '@reverie/outcomes-domain';
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
import { splitTaskIds } from './environment-dreamer';
import { TRIAGE_DEFAULT_OBJECTIVE } from './default-objectives';

export interface TriagePrepared {
  train: TriageCase[];
  /** The dataset's held-out cases, split in two: validation (choose and gate) and test (report). */
  validation: TriageCase[];
  test: TriageCase[];
  heldOutIds: Set<string>;
  sessionsByCase: Map<string, string[]>;
  reviewedHeldOut: number;
  unknownCases: string[];
}

const caseIdOf = (s: CollectedSession): string | null => {
  const id = s.session.run?.task?.['caseId'];
  return typeof id === 'string' ? id : null;
};

/** What a triage session did at each step, as comparable signatures (divergence localisation). */
function actionsOf(events: readonly SessionEventBody[]) {
  return events.flatMap((e) =>
    e.type === 'action'
      ? [{ step: e.step ?? 0, signature: `${e.name}:${JSON.stringify(e.params ?? {})}` }]
      : e.type === 'tool_call'
        ? [{ step: e.step ?? 0, signature: `tool:${e.name}` }]
        : [],
  );
}

/**
 * ci-log-triage dreams: no replay (a log is read once), so failures are localised by divergence
 * from successful sessions of the same case and by the grader's failed criteria; the contrastive
 * reflector mines line patterns; validation scores rule sets on the dataset's held-out split.
 */
export class TriageDreamer implements EnvironmentDreamer<TriagePrepared> {
  readonly environment = CI_LOG_TRIAGE_ENVIRONMENT.name;
  readonly roles = [null] as const;
  readonly defaultObjective = TRIAGE_DEFAULT_OBJECTIVE;
  /**
   * No validation log may lose more than 0.05 of its score (line F1) for another's gain, unless
   * none loses more than 0.2 and the logs gain ten times the score lost between them
   * (`taskScoreTrade`; `DEFAULT_VALIDATION` in `@reverie/dreaming-triage` is the same gate).
   */
  readonly gate = {
    taskScoreTolerance: DEFAULT_VALIDATION.tolerance,
    taskScoreTrade: { ratio: TRIAGE_TRADE.ratio, maxTaskLoss: TRIAGE_TRADE.maxCaseLoss },
  };
  /** Only the steps it took (actions and tool calls), not the messages that carry the logs. */
  readonly eventFilter = { 'body.type': { $in: ['action', 'tool_call'] } };
  private dataset: Promise<TriageCase[]> | null = null;

  /**
   * `casesDir`: a directory of cases in the ci-breakages layout (default: the bundled one), read
   * strictly; `cases`: the cases already loaded from it (the offline CLI reads a user's folder with
   * `loadCases`, which skips what is no usable case, and the dreamer must see the same cases).
   */
  constructor(
    datasetsDir: string,
    private readonly casesDir = join(datasetsDir, 'ci-breakages'),
    cases?: readonly TriageCase[],
  ) {
    if (cases) this.dataset = Promise.resolve([...cases]);
  }

  verdict(s: CollectedSession): SessionVerdict {
    // Used only where its condition matched a line: a loaded rule that matched nothing is not used.
    const firedEntries = s.events.flatMap((e) =>
      e.type === 'action' &&
      e.name === 'apply_rule' &&
      typeof e.params?.entryId === 'string' &&
      !(typeof e.params.matched === 'number' && e.params.matched <= 0)
        ? [{ role: null, entryId: e.params.entryId }]
        : [],
    );
    const succeeded = s.outcome
      ? s.outcome.result === 'satisfied'
      : s.session.status === 'completed';
    return {
      succeeded,
      failure: succeeded
        ? ''
        : s.outcome
          ? s.outcome.failedCriteria.join(', ') || s.outcome.result
          : (s.session.endReason ?? s.session.status),
      task: caseIdOf(s) ?? s.session._id,
      firedEntries,
    };
  }

  async prepare(sessions: readonly CollectedSession[]): Promise<TriagePrepared> {
    const cases = await (this.dataset ??= loadDataset(this.casesDir));
    const byId = new Map(cases.map((c) => [c.id, c]));
    const split = splitCases(cases, DEFAULT_SPLIT);
    const heldOutIds = new Set(split.heldOut.map((c) => c.id));
    const sessionsByCase = new Map<string, string[]>();
    const unknownCases: string[] = [];
    let reviewedHeldOut = 0;
    for (const s of sessions) {
      const id = caseIdOf(s);
      if (!id || !byId.has(id)) {
        unknownCases.push(id ?? s.session._id);
        continue;
      }
      if (heldOutIds.has(id)) {
        reviewedHeldOut++;
        continue;
      }
      sessionsByCase.set(id, [...(sessionsByCase.get(id) ?? []), s.session._id]);
    }
    const vt = splitValidationTest(split.heldOut, 'reverie/ci-log-triage');
    return {
      train: [...sessionsByCase.keys()].sort().map((id) => byId.get(id)!),
      validation: vt.validation,
      test: vt.test,
      heldOutIds,
      sessionsByCase,
      reviewedHeldOut,
      unknownCases,
    };
  }

  describeSplit(p: TriagePrepared): SplitSummary {
    return {
      train: p.train.length,
      validation: p.validation.length,
      test: p.test.length,
      reviewedHeldOut: p.reviewedHeldOut,
      trainSessions: new Set([...p.sessionsByCase.values()].flat()),
      tasks: () => splitTaskIds(p),
      note: `splits: train ${p.train.length} case(s), validation ${p.validation.length}, test ${p.test.length} (${p.reviewedHeldOut} reviewed session(s) were on validation or test cases and not learned from)${p.unknownCases.length ? `; ${p.unknownCases.length} session(s) on unknown cases skipped` : ''}`,
    };
  }

  async localise(
    p: TriagePrepared,
    failed: readonly CollectedSession[],
    successes: readonly CollectedSession[],
    _current: RulesByRole,
    _budget: Budget,
    progress: (done: number, total: number) => Promise<void>,
  ) {
    const observe = (s: CollectedSession, succeeded: boolean): ObservedSession => ({
      sessionId: s.session._id,
      task: caseIdOf(s) ?? s.session._id,
      succeeded,
      actions: actionsOf(s.events),
      failedCriteria: failedGraded(s.outcome?.criteria ?? []).map((c) => ({
        id: c.id,
        steps: c.steps,
      })),
      role: null,
    });
    const good = successes.map((s) => observe(s, true));
    const localisations: FailureLocalisation[] = [];
    const learnable = failed.filter((s) => !p.heldOutIds.has(caseIdOf(s) ?? ''));
    for (const [i, s] of learnable.entries()) {
      const o = observe(s, false);
      const l = localiseByDivergence(
        o,
        good.filter((g) => g.task === o.task),
      );
      localisations.push({ ...l, failure: this.verdict(s).failure });
      if ((i + 1) % 50 === 0) await progress(i + 1, learnable.length);
    }
    await progress(learnable.length, learnable.length);
    const byMethod = (m: string) => localisations.filter((l) => l.method === m).length;
    return {
      localisations,
      work: {
        simulations: 0,
        summary: `${localisations.length} failed training session(s): ${byMethod('divergence')} by divergence from a successful session of the same case, ${byMethod('criteria')} from the grader's failed criteria`,
      },
    };
  }

  async reflect(p: TriagePrepared, current: RulesByRole, budget: Budget) {
    if (!p.train.length)
      return { drafts: [], work: { simulations: 0, summary: 'no training cases' } };
    const search = await searchTriageRules(p.train, current.get(null) ?? [], {
      maxEvaluations: Math.max(2, budget.simulations),
      onProgress: (done, total) => budget.progress?.(done, total, 'rule search, rule sets scored'),
    });
    // The greedy combination first, then it without each rule in turn, then the best single
    // rules of distinct effect: the gate promotes the first that holds on validation.
    const alternatives = searchAlternatives(search);
    const drafts: RoleDraft[] = alternatives.flatMap((alt, alternative) =>
      toTriageEntries(alt).map((d) => ({
        role: null,
        alternative,
        draft: {
          title: d.title,
          guidance: d.guidance,
          rationale: d.rationale,
          rule: d.rule,
          evidence: d.evidence.flatMap((ev) =>
            (p.sessionsByCase.get(ev.caseId) ?? []).slice(0, 5).map((sessionId) => ({
              sessionId,
              note: `${ev.caseId}: F1 ${ev.delta > 0 ? '+' : ''}${ev.delta.toFixed(3)} on training`,
            })),
          ),
        },
      })),
    );
    return {
      drafts,
      work: {
        simulations: search.evaluations,
        summary: `contrasted ${search.contrast.patterns.length} line pattern(s); ${search.candidates.length} rule(s) helped alone, ${search.selected.length} kept together; training macro F1 ${search.baseline.toFixed(3)} -> ${search.final.toFixed(3)} (${search.evaluations} rule-set evaluations)`,
      },
    };
  }

  /**
   * Runs the builtin triager with `rules` on every case of the split. Each run records what its
   * session would (`runBuiltinTriage`: the steps, `submit_answer`, the scored answer), so every
   * criterion of the definition, a `tool` or `step_limit` one too, grades it as it grades a session.
   */
  async evaluate(p: TriagePrepared, split: EvaluationSplit, rules: RulesByRole) {
    const cases = split === 'validation' ? p.validation : p.test;
    const adapted = toLineRules(rules.get(null) ?? []);
    const runs = cases.map((c) => ({
      task: c.id,
      family: '',
      events: runBuiltinTriage(c, adapted.rules).events,
      labels: c.errorRanges,
    }));
    return {
      runs,
      work: {
        simulations: 1,
        summary: `${cases.length} ${split} case(s) run${adapted.skipped.length ? `; ${adapted.skipped.length} rule(s) that cannot run skipped` : ''}`,
      },
    };
  }
}
