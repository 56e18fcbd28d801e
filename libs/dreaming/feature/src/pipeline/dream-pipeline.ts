import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_ENVIRONMENT } from '@reverie/environments';
import { DEFAULT_TRIAL_MAX_PAIRS } from '@reverie/playbooks-domain';
import type { SessionEventBody } from '@reverie/contracts';
import type { DreamReport, PublishedPlaybook } from '@reverie/dreaming-domain';
import {
  DreamCheckpointRepository,
  DreamMemoryRepository,
  type DreamRecord,
} from '@reverie/dreaming-data-access';
import {
  OutcomeDefinitionRepository,
  OutcomeRepository,
  type OutcomeRecord,
} from '@reverie/outcomes-data-access';
import {
  PlaybookTrialWriter,
  PlaybookVersionRepository,
  PlaybookVersionWriter,
  playbookIdFor,
} from '@reverie/playbooks-data-access';
import {
  eventsComplete,
  SessionReader,
  type ReviewCursor,
  type SessionView,
} from '@reverie/sessions-data-access/readers';
import { DREAMER_OPTIONS, type DreamerOptions } from '../dreamer.options';
import type { CollectedSession, EnvironmentDreamer } from '../environments/environment-dreamer';
import { dreamersByEnvironment, type DreamerPlugin } from '../environments/dreamer-plugins';
import type { DreamControl } from './dream-control';
import { runDreamStages, type DreamPorts } from './dream-stages';

/** What a finished pipeline leaves: the report, the playbook versions made, the review cutoff. */
export interface DreamResult {
  report: DreamReport;
  outputs: PublishedPlaybook[];
  environment: string | null;
  sessionsReviewed: number;
  /** Where the next "since the last dream" starts (a dream over named sessions moves nothing). */
  reviewedUntil: ReviewCursor | null;
}

/**
 * The dream pipeline in the dreamer service: collect (from Mongo), then the stages every dream
 * runs (runDreamStages: localise, reflect, curate, validate, publish, report) over the Mongo
 * adapters of their ports. Each stage runs under `control`, which renews the dream's lease, stops
 * the dream at its next heartbeat when it is canceled (aborting a model call it waits on), and
 * records what the stage did and spent. A run
 * of a dream whose earlier run kept a checkpoint (`dream_checkpoints`, once reflect ended) reviews
 * the sessions that run reviewed, and the stages go on from curate when nothing else changed.
 */
@Injectable()
export class DreamPipeline {
  private readonly dreamers: ReadonlyMap<string, DreamerPlugin>;

  constructor(
    private readonly reader: SessionReader,
    private readonly outcomes: OutcomeRepository,
    private readonly definitions: OutcomeDefinitionRepository,
    private readonly memories: DreamMemoryRepository,
    private readonly checkpoints: DreamCheckpointRepository,
    private readonly versions: PlaybookVersionRepository,
    private readonly writer: PlaybookVersionWriter,
    private readonly trials: PlaybookTrialWriter,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
  ) {
    this.dreamers = dreamersByEnvironment(options);
  }

  /** The environment's dreamer for one dream; null when dreams cannot review it. */
  dreamerFor(environment: string): EnvironmentDreamer | null {
    return this.dreamers.get(environment)?.dreamer() ?? null;
  }

  /** `at`: the time the review's "are its events all stored" rule is judged at (now). */
  async run(
    dream: DreamRecord,
    control: DreamControl,
    since: ReviewCursor | null,
    at = new Date(),
  ): Promise<DreamResult> {
    const notes = control.notes;
    // An earlier run's checkpoint: this run reviews the same sessions, to go on from it.
    const earlier = await this.checkpoints.load(dream.tenantId, dream._id);
    const sameSessions =
      earlier && dream.input.type === 'since_last_dream' ? earlier.sessionIds : null;

    // 1. Collect.
    interface Collected {
      sessions: CollectedSession[];
      dreamer: EnvironmentDreamer | null;
      environment: string | null;
      reviewedUntil: ReviewCursor | null;
    }
    let reviewedIds: string[] = [];
    const collected = await control.stage<Collected>('collect', async () => {
      const ended = await this.reader.endedForReview(dream.tenantId, dream.agentId, {
        ...(dream.input.type === 'sessions'
          ? { ids: dream.input.sessionIds }
          : { after: since, ...(sameSessions && { ids: sameSessions }) }),
        limit:
          dream.input.type === 'sessions'
            ? dream.input.sessionIds.length
            : Math.min(dream.input.limit, this.options.maxSessions),
      });
      const { sessions, outcomes: graded } = await this.reviewable(dream, ended, at, notes);
      // Where the next "since the last dream" starts: the last session in (end, id) order, which
      // is how they came; a dream over named sessions moves nothing.
      const last = sessions.at(-1);
      const reviewedUntil =
        dream.input.type === 'sessions'
          ? null
          : last?.endedAt
            ? { endedAt: new Date(last.endedAt), sessionId: last._id }
            : since;
      if (dream.input.type === 'sessions') {
        const found = new Set(ended.map((s) => s._id));
        const missing = dream.input.sessionIds.filter((id) => !found.has(id));
        if (missing.length)
          notes.push(
            `${missing.length} requested session(s) not reviewed (not this agent's, or not ended): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
          );
      }
      reviewedIds = sessions.map((s) => s._id);
      const environment = mostCommonEnvironment(sessions);
      const dreamer = environment ? this.dreamerFor(environment) : null;
      const ofEnvironment = sessions.filter((s) => environmentOf(s) === environment);
      if (sessions.length > ofEnvironment.length)
        notes.push(
          `${sessions.length - ofEnvironment.length} session(s) of other environments or external sessions were not reviewed (a dream reviews one environment: ${environment ?? 'none'})`,
        );
      if (!dreamer || !ofEnvironment.length)
        return {
          value: { sessions: [], dreamer: null, environment, reviewedUntil },
          summary: sessions.length
            ? `${sessions.length} session(s), none of an environment the dreamer can replay or mine`
            : 'no ended sessions to review',
        };
      const ids = ofEnvironment.map((s) => s._id);
      const [events, outcomes] = await Promise.all([
        this.reader.eventsOf(dream.tenantId, ids, dreamer.eventFilter),
        graded ?? this.outcomes.latestForSessions(dream.tenantId, ids),
      ]);
      const bySession = new Map<string, SessionEventBody[]>();
      for (const e of events) {
        const list = bySession.get(e.sessionId) ?? [];
        list.push(e.body);
        bySession.set(e.sessionId, list);
      }
      const out: CollectedSession[] = ofEnvironment.map((session: SessionView) => ({
        session,
        outcome: outcomes.get(session._id) ?? null,
        events: bySession.get(session._id) ?? [],
      }));
      return {
        value: { sessions: out, dreamer, environment, reviewedUntil },
        summary: `${out.length} ${environment} session(s), ${events.length} event(s) and ${outcomes.size} outcome(s) loaded`,
      };
    });

    const { dreamer, sessions, environment, reviewedUntil } = collected;
    control.found({ ...(environment ? { environment } : {}), sessionsReviewed: sessions.length });
    if (!dreamer || !sessions.length) {
      notes.push('nothing to learn from: no playbook changed');
      return {
        report: control.report(dream, 'completed', null),
        outputs: [],
        environment,
        sessionsReviewed: 0,
        reviewedUntil,
      };
    }
    const { outputs } = await runDreamStages({
      spec: dream,
      control,
      ports: {
        ...this.portsFor(dream),
        checkpoint: {
          earlier,
          save: (checkpoint) =>
            this.checkpoints.save(dream.tenantId, dream._id, {
              ...checkpoint,
              sessionIds: reviewedIds,
            }),
        },
      },
      settings: { maxSimulations: this.options.maxSimulations, anthropic: this.options.anthropic },
      dreamer,
      sessions,
    });
    return {
      report: control.report(dream, 'completed', null),
      outputs,
      environment: dreamer.environment,
      sessionsReviewed: sessions.length,
      reviewedUntil,
    };
  }

  /** The Mongo adapters of the stages' ports, scoped to the dream's tenant and agent. */
  private portsFor(dream: DreamRecord): DreamPorts {
    const { tenantId, agentId } = dream;
    return {
      outcomeDefinition: () => this.definitions.latest(tenantId, agentId),
      currentPlaybooks: async (roles) => {
        const active = await Promise.all(
          roles.map((role) => this.versions.findActive(tenantId, playbookIdFor(agentId, role))),
        );
        return new Map(roles.map((role, i) => [role, active[i]]));
      },
      store: async (candidate, status) => {
        const latest = await this.versions.latestVersionNumber(tenantId, candidate.playbookId);
        const version = { ...candidate, version: latest + 1 };
        const stored =
          status === 'active'
            ? await this.writer.activate(tenantId, { ...version, status: 'active' })
            : await this.writer.propose(tenantId, { ...version, status: 'proposed' });
        return {
          role: candidate.role ?? null,
          version: stored.version,
          status: stored.status as 'active' | 'proposed',
        };
      },
      ...(this.options.trials?.enabled === false ? {} : { startTrial: this.trialStarter(dream) }),
      // Read even with TRIALS=off here: another replica's trial may run.
      runningTrial: () => this.trials.runningId(tenantId, agentId),
      loadMemory: (environment) => this.memories.load(tenantId, agentId, environment),
      saveMemory: (memory) => this.memories.save(tenantId, memory),
    };
  }

  /** Puts a dream's stored proposals on a canary trial (DreamPorts.startTrial). */
  private trialStarter(dream: DreamRecord): NonNullable<DreamPorts['startTrial']> {
    const { tenantId, agentId } = dream;
    return async (proposals) => {
      const playbooks = await Promise.all(
        proposals.map(async (p) => {
          const playbookId = playbookIdFor(agentId, p.role);
          const head = await this.versions.findActive(tenantId, playbookId);
          return { role: p.role, playbookId, candidate: p.version, control: head?.version ?? 0 };
        }),
      );
      const { share, sprt } = this.options.trials ?? {};
      const trial = await this.trials.start(tenantId, {
        agentId,
        dreamId: dream._id,
        publish: dream.publish,
        playbooks,
        ...(share !== undefined ? { share } : {}),
        ...(sprt ? { sprt } : {}),
      });
      const versions = playbooks
        .map((p) => `${p.role ?? 'agent'} v${p.candidate} against v${p.control}`)
        .join(', ');
      const note = `canary trial ${trial._id} started: ${versions}, serving ${Math.round(trial.share * 100)} % of new sessions; the grader's outcomes decide it (SPRT: alpha ${trial.sprt.alpha}, beta ${trial.sprt.beta}, at most ${trial.sprt.maxDiscordant} discordant and ${trial.sprt.maxPairs ?? DEFAULT_TRIAL_MAX_PAIRS} graded pairs), then it is ${dream.publish === 'apply' ? 'promoted or rolled back by itself' : "rolled back, or left for a person's approval"} (GET /v1/agents/${agentId}/trials)`;
      return { trialId: trial._id, note };
    };
  }

  /**
   * The ended sessions this dream reviews: their events are all stored (withStoredEnds) and, when
   * the agent has an outcome definition, the grader has graded their last attempt for good
   * (withSettledGrades), so every verdict is the operator's and not the environment's fallback;
   * the rest is left for a later dream, with a note. Returns the outcomes it read, or null.
   */
  private async reviewable(
    dream: DreamRecord,
    ended: readonly SessionView[],
    at: Date,
    notes: string[],
  ): Promise<{ sessions: SessionView[]; outcomes: Map<string, OutcomeRecord> | null }> {
    const stored = withStoredEnds(ended, dream.input.type, at);
    leftForLater(notes, stored.deferred, 'their last events are not all stored yet');
    if (!stored.sessions.length || !(await this.definitions.latest(dream.tenantId, dream.agentId)))
      return { sessions: stored.sessions, outcomes: null };
    const outcomes = await this.outcomes.latestForSessions(
      dream.tenantId,
      stored.sessions.map((s) => s._id),
    );
    const settled = withSettledGrades(stored.sessions, outcomes, dream.input.type, at);
    leftForLater(
      notes,
      settled.deferred,
      'the grader has not graded their last attempt yet, or sent them back for another',
    );
    return { sessions: settled.sessions, outcomes };
  }
}

/**
 * The ended sessions a dream may review now: those whose events are all stored (eventsComplete,
 * the grader's rule: the ingest stored the end of the session's current attempt; an end from
 * before ends were marked counts once 10 minutes old), as a prefix (readyPrefix).
 */
export function withStoredEnds(
  ended: readonly SessionView[],
  input: DreamRecord['input']['type'],
  at: Date,
): { sessions: SessionView[]; deferred: SessionView[] } {
  return readyPrefix(ended, input, (s) => eventsComplete(s, s.iteration ?? 1, at));
}

/**
 * How long after a session's end a dream waits for its grade. Past it the session is reviewed
 * with whatever verdict it has (an earlier attempt's, or the environment's own): the grader had
 * every chance (a judge that keeps failing dead-letters the grade; sessions that ended before the
 * agent had an outcome definition are never graded unless regraded).
 */
export const GRADE_GRACE_MS = 10 * 60_000;

/**
 * The sessions whose last attempt the grader has graded for good (or that ended GRADE_GRACE_MS
 * ago), with the same prefix rule as withStoredEnds. Graded for good: not a managed session the
 * grader sent back (`needs_revision`, not a regrade), which the orchestrator is about to fly
 * again as its next attempt. A dream that ran beside the grader used to judge the sessions not
 * graded yet by the environment's own verdict (a lunar landing: safe), so what it learned
 * depended on how far the grader had got.
 */
export function withSettledGrades(
  sessions: readonly SessionView[],
  outcomes: ReadonlyMap<string, Pick<OutcomeRecord, 'iteration' | 'result' | 'regrade'>>,
  input: DreamRecord['input']['type'],
  at: Date,
): { sessions: SessionView[]; deferred: SessionView[] } {
  return readyPrefix(sessions, input, (s) => {
    const graded = outcomes.get(s._id);
    const revising = !!s.run && graded?.result === 'needs_revision' && !graded.regrade;
    if (graded && graded.iteration >= (s.iteration ?? 1) && !revising) return true;
    return !!s.endedAt && at.getTime() - new Date(s.endedAt).getTime() > GRADE_GRACE_MS;
  });
}

/**
 * A review since the last dream stops at the first session that is not ready, in (end, id)
 * order: the next dream starts after the last one reviewed, so one passed over now would never be
 * read. Named sessions just leave it out.
 */
function readyPrefix(
  ended: readonly SessionView[],
  input: DreamRecord['input']['type'],
  ready: (s: SessionView) => boolean,
): { sessions: SessionView[]; deferred: SessionView[] } {
  if (input === 'sessions')
    return { sessions: ended.filter(ready), deferred: ended.filter((s) => !ready(s)) };
  const firstOpen = ended.findIndex((s) => !ready(s));
  if (firstOpen < 0) return { sessions: [...ended], deferred: [] };
  return { sessions: ended.slice(0, firstOpen), deferred: ended.slice(firstOpen) };
}

function leftForLater(notes: string[], deferred: readonly SessionView[], why: string): void {
  if (!deferred.length) return;
  const ids = deferred.slice(0, 10).map((s) => s._id);
  notes.push(
    `${deferred.length} ended session(s) left for a later dream: ${why} (${ids.join(', ')}${deferred.length > 10 ? ', …' : ''})`,
  );
}

/** A managed session's environment; a session the client's own agent ran (no run): external. */
const environmentOf = (s: SessionView): string => s.run?.environment ?? DEFAULT_ENVIRONMENT.name;

function mostCommonEnvironment(sessions: readonly SessionView[]): string | null {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(environmentOf(s), (counts.get(environmentOf(s)) ?? 0) + 1);
  let best: string | null = null;
  for (const [env, n] of counts) if (!best || n > counts.get(best)!) best = env;
  return best;
}
