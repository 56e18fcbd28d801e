import { createHash } from 'node:crypto';
import type { FailureLocalisation, TaskRun, ValidationMetrics } from '@reverie/dreaming-domain';
import {
  checkOnHeldOut,
  localiseSession,
  mineEntries,
  ruleMatchesSession,
  sessionCalls,
  type HeldOutCheck,
  type MinedEntry,
  type ReviewedSession,
} from '@reverie/dreaming-reflect';
import { EXTERNAL_ENVIRONMENT } from '@reverie/environments';
import {
  failedGraded,
  parseOutcomeDefinition,
  sessionTaskKey,
  type OutcomeDefinition,
} from '@reverie/outcomes-domain';
import type {
  Budget,
  CollectedSession,
  EnvironmentDreamer,
  EvaluationSplit,
  ReflectModel,
  ReflectResult,
  RoleDraft,
  RulesByRole,
  SessionVerdict,
  SplitSummary,
} from './environment-dreamer';
import { withModelReflector } from '../reflectors/external-model-hook';

type Split = 'train' | 'validation' | 'test';

/** Successful sessions of a kind a failure is compared with, at most. */
const SUCCESSES_PER_KIND = 50;

export interface ExternalPrepared {
  bySplit: Record<Split, ReviewedSession[]>;
  /** Each candidate with its held-out check, filled by `reflect` (for `offlineGate` and the report). */
  checks: { entry: MinedEntry; check: HeldOutCheck }[];
  /** The agent of each session (the model reflector shows only the dream's agent's). */
  agentOf: Map<string, string>;
  /** Sessions left out of every split, with why (a session with no stored events, say). */
  skipped: { sessionId: string; reason: string }[];
}

/**
 * A split (60 / 20 / 20) by a hash of a key: stable whatever else is reviewed. The key is the task
 * the session worked when its environment can tell (`splitKey`), so every attempt at one ticket
 * lands on the same side; else the session's id.
 */
export function externalSplit(key: string): Split {
  const u =
    parseInt(
      createHash('sha256').update(`reverie/external:${key}`).digest('hex').slice(0, 12),
      16,
    ) /
    2 ** 48;
  return u < 0.6 ? 'train' : u < 0.8 ? 'validation' : 'test';
}

/** What a session is split by: the task it worked (see sessionTaskKey), else its own id. */
export function splitKey(s: Pick<CollectedSession, 'session' | 'events'>): string {
  return sessionTaskKey(s.events) ?? s.session._id;
}

/** `reason (ids); reason (ids)`, at most 10 ids a reason. */
function skippedByReason(skipped: ExternalPrepared['skipped']): string {
  const by = new Map<string, string[]>();
  for (const s of skipped) by.set(s.reason, [...(by.get(s.reason) ?? []), s.sessionId]);
  return [...by]
    .map(
      ([reason, ids]) =>
        `${reason} (${ids.slice(0, 10).join(', ')}${ids.length > 10 ? `, … ${ids.length - 10} more` : ''})`,
    )
    .join('; ');
}

/** What a session is about, for divergence: its first tool call (by actor), or `no-tools`. */
function kindOf(s: CollectedSession): string {
  const first = sessionCalls(s.events).calls[0];
  return first ? `${first.actor ?? 'agent'}:${first.tool}` : 'no-tools';
}

/** The default rubric of a session that names no environment: the agent says it completed. */
export const EXTERNAL_DEFAULT_OBJECTIVE: OutcomeDefinition = parseOutcomeDefinition({
  description: 'The agent ended the session as completed',
  environment: EXTERNAL_ENVIRONMENT.name,
  maxIterations: 1,
  passingScore: 1,
  criteria: [
    {
      id: 'completed',
      kind: 'bound',
      path: 'session.status',
      op: 'eq',
      value: 'completed',
      required: true,
    },
  ],
});

/**
 * The dreamer of sessions a client's own agent reports over REST, for any agent: no simulator.
 * It localises failures from errors, feedback, divergence and the grader's criteria, mines the
 * general tool-call features for lessons (`@reverie/dreaming-reflect`), and checks each on
 * held-out past sessions; a recorded session cannot be re-run with other rules, so `evaluate`
 * returns the sessions as they ran, and promotion rests on `offlineGate` (then a canary trial).
 * Roles are the actors of the sessions' tool calls (a team writes one playbook per role).
 */
export class ExternalDreamer implements EnvironmentDreamer<ExternalPrepared> {
  readonly environment = EXTERNAL_ENVIRONMENT.name;
  readonly eventFilter = {};
  readonly defaultObjective = EXTERNAL_DEFAULT_OBJECTIVE;
  /** No simulator: a candidate that passes the held-out check goes on a canary trial. */
  readonly liveTrial = true;
  private foundRoles: (string | null)[] = [null];

  get roles(): readonly (string | null)[] {
    return this.foundRoles;
  }

  verdict(s: CollectedSession): SessionVerdict {
    const succeeded = s.outcome
      ? s.outcome.result === 'satisfied'
      : s.session.status === 'completed';
    const firedEntries = s.events.flatMap((e) =>
      e.type === 'action' && e.name === 'apply_rule' && typeof e.params?.entry_id === 'string'
        ? [{ role: e.actor ?? null, entryId: e.params.entry_id }]
        : [],
    );
    return {
      succeeded,
      failure: succeeded
        ? ''
        : (s.outcome?.failedCriteria?.[0] ?? s.session.endReason ?? 'failed').slice(0, 60),
      task: kindOf(s),
      firedEntries,
    };
  }

  async prepare(sessions: readonly CollectedSession[]): Promise<ExternalPrepared> {
    const bySplit: Record<Split, ReviewedSession[]> = { train: [], validation: [], test: [] };
    const actors = new Set<string>();
    const agentOf = new Map(sessions.map((s) => [s.session._id, s.session.agentId]));
    const skipped: ExternalPrepared['skipped'] = [];
    for (const s of sessions) {
      if (!s.events.length) {
        // Nothing to localise or mine (an agent that reported nothing, or whose every batch the
        // gateway refused, e.g. for an unknown event type).
        skipped.push({ sessionId: s.session._id, reason: 'no events stored' });
        continue;
      }
      const reviewed = this.reviewed(s);
      for (const c of sessionCalls(s.events).calls) if (c.actor) actors.add(c.actor);
      bySplit[externalSplit(splitKey(s))].push(reviewed);
    }
    this.foundRoles = actors.size ? [...actors].sort() : [null];
    return { bySplit, checks: [], skipped, agentOf };
  }

  private reviewed(s: CollectedSession): ReviewedSession {
    return {
      id: s.session._id,
      succeeded: this.verdict(s).succeeded,
      kind: kindOf(s),
      events: s.events,
      failedCriteria: failedGraded(s.outcome?.criteria ?? []).map((c) => ({
        id: c.id,
        step: c.steps?.[0] ?? null,
      })),
      feedback: [],
    };
  }

  describeSplit(p: ExternalPrepared): SplitSummary {
    const n = (k: Split) => p.bySplit[k].length;
    const skipped = p.skipped.length
      ? `; ${p.skipped.length} session(s) skipped: ${skippedByReason(p.skipped)}`
      : '';
    return {
      train: n('train'),
      validation: n('validation'),
      test: n('test'),
      reviewedHeldOut: n('validation') + n('test'),
      trainSessions: new Set(p.bySplit.train.map((s) => s.id)),
      note: `external sessions split by task (the ticket an environment names, else the session): ${n('train')} train (learned from), ${n('validation')} validation (held-out check), ${n('test')} test (reported only)${skipped}`,
    };
  }

  async localise(
    p: ExternalPrepared,
    _failed: readonly CollectedSession[],
    _successes: readonly CollectedSession[],
    _current: RulesByRole,
    _budget: Budget,
    progress: (done: number, total: number) => Promise<void>,
  ): Promise<{
    localisations: FailureLocalisation[];
    work: { simulations: number; summary: string };
  }> {
    const train = p.bySplit.train;
    const failed = train.filter((s) => !s.succeeded);
    // Divergence compares with at most SUCCESSES_PER_KIND successes of a kind, so the stage's
    // cost grows linearly with the sessions reviewed.
    const successes = new Map<string, ReviewedSession[]>();
    for (const o of train.filter((x) => x.succeeded)) {
      const list = successes.get(o.kind) ?? [];
      if (list.length < SUCCESSES_PER_KIND) successes.set(o.kind, [...list, o]);
    }
    const localisations = failed.map((s) => {
      const l = localiseSession(s, successes.get(s.kind) ?? []);
      return {
        sessionId: s.id,
        task: s.kind,
        failure: l.detail.slice(0, 80),
        step: l.step,
        role: l.actor,
        method: l.method,
        confidence: l.confidence,
        detail: l.detail,
        simulations: 0,
      } satisfies FailureLocalisation;
    });
    await progress(failed.length, failed.length);
    const found = localisations.filter((l) => l.step !== null).length;
    return {
      localisations,
      work: {
        simulations: 0,
        summary: `${found} of ${failed.length} failed train session(s) localised without a simulator`,
      },
    };
  }

  async reflect(
    p: ExternalPrepared,
    current: RulesByRole,
    _budget?: Budget,
    _objective?: OutcomeDefinition,
    model?: ReflectModel,
  ): Promise<ReflectResult> {
    const known = new Set([...current.values()].flat().map((r) => JSON.stringify(r.when)));
    const mined = mineEntries(p.bySplit.train).filter(
      (m) => !known.has(JSON.stringify(m.rule.when)),
    );
    p.checks = mined.map((entry) => ({
      entry,
      check: checkOnHeldOut(entry.rule, p.bySplit.validation),
    }));
    const kept = p.checks.filter((c) => c.check.accepted);
    const drafts: RoleDraft[] = kept.map(({ entry, check }) => ({
      role: this.roles.includes(entry.role) ? entry.role : null,
      alternative: 0,
      draft: {
        title: entry.title,
        guidance: entry.guidance,
        rationale: `${entry.rationale} Train: the condition matches ${entry.evidence.failed} failed and ${entry.evidence.succeeded} successful session(s); held-out: ${check.reason}.`,
        evidence: entry.evidence.sessionIds.slice(0, 20).map((sessionId) => ({ sessionId })),
        rule: entry.rule,
      },
    }));
    const refused = p.checks.filter((c) => !c.check.accepted);
    const builtin = {
      drafts,
      work: {
        simulations: 0,
        summary: `${mined.length} candidate(s) mined from ${p.bySplit.train.length} train session(s); ${kept.length} kept by the held-out check${refused.length ? `, ${refused.length} refused (${refused.map((r) => `${r.entry.title}: ${r.check.reason}`).join('; ')})` : ''}`,
      },
    };
    // The dream's settings chose a model reflector: its deltas join these, held-out checked too.
    return model ? withModelReflector(this.environment, this.roles, p, builtin, model) : builtin;
  }

  /** No sandbox: the split's sessions as they ran, whatever the rules (see `offlineGate`). */
  async evaluate(
    p: ExternalPrepared,
    split: EvaluationSplit,
  ): Promise<{ runs: TaskRun[]; work: { simulations: number; summary: string } }> {
    const runs = p.bySplit[split].map((s) => ({
      task: s.id,
      family: s.kind,
      events: [...s.events],
    }));
    return {
      runs,
      work: {
        simulations: 0,
        summary: `${runs.length} recorded ${split} session(s); external sessions cannot be re-run`,
      },
    };
  }

  /**
   * The gate without a simulator: promote (for a canary trial) when at least one candidate passed
   * the held-out check. `after` counts the held-out failed sessions a kept rule matches (what it
   * could have changed); `regressions` lists held-out successful sessions a kept rule matches.
   */
  offlineGate(p: ExternalPrepared): ValidationMetrics {
    const kept = p.checks.filter((c) => c.check.accepted).map((c) => c.entry.rule);
    const touched = p.bySplit.validation.filter((s) => kept.some((r) => ruleMatchesSession(r, s)));
    return {
      split: 'validation',
      heldOut: p.bySplit.validation.length,
      metric: 'held-out failed sessions a kept rule matches',
      before: 0,
      after: touched.filter((s) => !s.succeeded).length,
      regressions: touched.filter((s) => s.succeeded).map((s) => s.id),
      improvements: touched.filter((s) => !s.succeeded).map((s) => s.id),
      promote: kept.length > 0,
      reason: kept.length
        ? `${kept.length} candidate(s) passed the held-out check; live traffic decides (canary trial)`
        : 'no candidate picks out held-out failures better than successes',
    };
  }
}
