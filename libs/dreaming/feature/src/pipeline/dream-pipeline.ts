import { Inject, Injectable } from '@nestjs/common';
import type { SessionEventBody } from '@reverie/contracts';
import {
  curate,
  findPatterns,
  type ChangeRecord,
  type DreamReport,
  type EntryUse,
  type PublishedPlaybook,
  type ValidationMetrics,
} from '@reverie/dreaming-domain';
import type { DreamRecord } from '@reverie/dreaming-data-access';
import { OutcomeRepository } from '@reverie/outcomes-data-access';
import {
  PlaybookVersionRepository,
  PlaybookVersionWriter,
  playbookIdFor,
  type StoredPlaybookVersion,
} from '@reverie/playbooks-data-access';
import {
  SessionReader,
  type ReviewCursor,
  type SessionView,
} from '@reverie/sessions-data-access/readers';
import {
  applyDeltas,
  emptyPlaybook,
  renderRules,
  type Delta,
  type PlaybookVersion,
} from '@reverie/playbooks-domain';
import { createProvider } from '@reverie/models';
import { DREAMER_OPTIONS, type DreamerOptions } from '../dreamer.options';
import type {
  CollectedSession,
  EnvironmentDreamer,
  RoleDraft,
  RulesByRole,
  SessionVerdict,
} from '../environments/environment-dreamer';
import { dreamersByEnvironment, type DreamerPlugin } from '../environments/dreamer-plugins';
import { ModelReflector } from '../reflectors/model-reflector';
import type { DreamControl } from './dream-control';

/** What a finished pipeline leaves: the report, the playbook versions made, the review cutoff. */
export interface DreamResult {
  report: DreamReport;
  outputs: PublishedPlaybook[];
  environment: string | null;
  sessionsReviewed: number;
  /** Where the next "since the last dream" starts (a dream over named sessions moves nothing). */
  reviewedUntil: ReviewCursor | null;
}

/** One alternative, curated: per playbook its deltas and candidate version, and the changes. */
interface Curated {
  byRole: Map<string | null, { deltas: Delta[]; candidate: PlaybookVersion | null }>;
  changes: ChangeRecord[];
  skipped: number;
}

/** Alternatives validated at most (each costs two flights per held-out scenario). */
const MAX_ALTERNATIVES = 4;

/** Drafts grouped by the alternative they belong to (`alternative`, 0 first), in order. */
function splitAlternatives(drafts: readonly RoleDraft[]): RoleDraft[][] {
  const out: RoleDraft[][] = [];
  for (const d of drafts) (out[d.alternative ?? 0] ??= []).push(d);
  return out.filter(Boolean);
}

/** Shares of a dream's simulation budget: localising failures, then searching rules. */
const LOCALISE_SHARE = 0.35;

/**
 * The dream pipeline: collect, localise, reflect, curate, validate, publish, report. Each stage
 * runs under `control`, which renews the dream's lease, stops at a stage boundary when the dream
 * is canceled, and records what the stage did and spent.
 */
@Injectable()
export class DreamPipeline {
  private readonly dreamers: ReadonlyMap<string, DreamerPlugin>;

  constructor(
    private readonly reader: SessionReader,
    private readonly outcomes: OutcomeRepository,
    private readonly versions: PlaybookVersionRepository,
    private readonly writer: PlaybookVersionWriter,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
  ) {
    this.dreamers = dreamersByEnvironment(options);
  }

  /** The environment's dreamer for one dream; null when dreams cannot review it. */
  dreamerFor(environment: string): EnvironmentDreamer | null {
    return this.dreamers.get(environment)?.dreamer() ?? null;
  }

  async run(
    dream: DreamRecord,
    control: DreamControl,
    since: ReviewCursor | null,
  ): Promise<DreamResult> {
    const notes = control.notes;

    // 1. Collect.
    interface Collected {
      sessions: CollectedSession[];
      dreamer: EnvironmentDreamer | null;
      environment: string | null;
      reviewedUntil: ReviewCursor | null;
    }
    const collected = await control.stage<Collected>('collect', async () => {
      const sessions = await this.reader.endedForReview(dream.tenantId, dream.agentId, {
        ...(dream.input.type === 'sessions' ? { ids: dream.input.sessionIds } : { after: since }),
        limit:
          dream.input.type === 'sessions'
            ? dream.input.sessionIds.length
            : Math.min(dream.input.limit, this.options.maxSessions),
      });
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
        const found = new Set(sessions.map((s) => s._id));
        const missing = dream.input.sessionIds.filter((id) => !found.has(id));
        if (missing.length)
          notes.push(
            `${missing.length} requested session(s) not reviewed (not this agent's, or not ended): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
          );
      }
      const environment = mostCommonEnvironment(sessions);
      const dreamer = environment ? this.dreamerFor(environment) : null;
      const ofEnvironment = sessions.filter((s) => s.run?.environment === environment);
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
        this.outcomes.latestForSessions(dream.tenantId, ids),
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

    const verdicts = new Map(sessions.map((s) => [s.session._id, dreamer.verdict(s)]));
    const failed = sessions.filter((s) => !verdicts.get(s.session._id)!.succeeded);
    const successes = sessions.filter((s) => verdicts.get(s.session._id)!.succeeded);
    control.found({ environment: dreamer.environment, failedSessions: failed.length });
    const prepared = await dreamer.prepare(sessions);
    const split = dreamer.describeSplit(prepared);
    notes.push(split.note);
    const current = await this.currentPlaybooks(dream, dreamer.roles);
    const currentRules: RulesByRole = new Map(
      [...current].map(([role, v]) => [role, v ? renderRules(v) : []]),
    );

    // 2. Localise.
    const localisations = await control.stage('localise', async (progress) => {
      const r = await dreamer.localise(
        prepared,
        failed,
        successes,
        currentRules,
        { simulations: Math.floor(this.options.maxSimulations * LOCALISE_SHARE) },
        (done, total) => progress(done, total, 'failed sessions localised'),
      );
      return { value: r.localisations, summary: r.work.summary, simulations: r.work.simulations };
    });
    const patterns = findPatterns(localisations);
    control.found({ localisations, patterns });

    // 3. Reflect: the environment's sandbox or contrastive reflector, then the model reflector.
    const drafts = await control.stage('reflect', async () => {
      const budget = Math.max(0, this.options.maxSimulations - control.simulations);
      const r = await dreamer.reflect(prepared, currentRules, { simulations: budget });
      if (dream.model.provider !== 'anthropic' || !r.drafts.length)
        return { value: r.drafts, summary: r.work.summary, simulations: r.work.simulations };
      if (!this.options.anthropic) {
        notes.push(
          'model reflector skipped: the dream asked for anthropic but the dreamer has no ANTHROPIC_API_KEY; the drafts keep their generated text',
        );
        return { value: r.drafts, summary: r.work.summary, simulations: r.work.simulations };
      }
      const settings = { model: dream.model.model, maxTokens: dream.model.maxTokens };
      const reflector = new ModelReflector(
        createProvider(
          { provider: 'anthropic', ...settings },
          { anthropic: this.options.anthropic },
        ),
        settings,
      );
      const m = await reflector.reflect({
        environment: dreamer.environment,
        instructions: dream.instructions,
        patterns,
        drafts: r.drafts,
      });
      return {
        value: m.drafts,
        summary: `${r.work.summary}; the model reflector rewrote ${m.rewritten} of ${r.drafts.length} draft(s)`,
        simulations: r.work.simulations,
        usage: m.usage,
      };
    });

    // 4. Curate each alternative against the current playbooks (the reflectors' best first).
    const alternatives = splitAlternatives(drafts).slice(0, MAX_ALTERNATIVES);
    const curatedAll = await control.stage('curate', async () => {
      const all = alternatives.map((alt) =>
        this.curateAll(dream, dreamer, current, sessions, verdicts, alt),
      );
      const first = all[0];
      return {
        value: all,
        summary: first
          ? `${first.changes.length} change(s): ${countKinds(first.changes)}${first.skipped ? `; ${first.skipped} draft(s) skipped` : ''}${all.length > 1 ? `; ${all.length - 1} alternative(s) held in reserve` : ''}`
          : 'no candidate change',
      };
    });

    // The reflectors' best, until validation picks one.
    control.found({ changes: curatedAll[0]?.changes ?? [] });

    // 5. Validate: the first alternative that passes the gate is promoted.
    const tried: ValidationMetrics[] = [];
    let chosen = curatedAll[0] ?? this.curateAll(dream, dreamer, current, sessions, verdicts, []);
    const behavioural = (c: Curated) => c.changes.some((x) => x.kind !== 'record_outcome');
    let validation: ValidationMetrics | null = null;
    if (curatedAll.some(behavioural))
      validation = await control.stage('validate', async () => {
        let simulations = 0;
        for (const c of curatedAll.filter(behavioural)) {
          const candidateRules: RulesByRole = new Map(
            [...currentRules].map(([role, rules]) => {
              const v = c.byRole.get(role)?.candidate;
              return [role, v ? renderRules(v) : rules];
            }),
          );
          const r = await dreamer.validate(prepared, currentRules, candidateRules);
          simulations += r.work.simulations;
          tried.push(r.metrics);
          if (r.metrics.promote) {
            chosen = c;
            break;
          }
        }
        const last = tried[tried.length - 1];
        const promoted = last.promote ? last : null;
        if (!promoted) chosen = curatedAll.filter(behavioural)[0];
        return {
          value: promoted ?? tried[0],
          summary: `${tried.length} alternative(s) validated; ${promoted ? `alternative ${tried.length} promoted: ${promoted.reason}` : `none promoted: ${tried[0].reason}`}`,
          simulations,
        };
      });
    tried.forEach((v, i) => {
      if (!v.promote) notes.push(`alternative ${i + 1} not promoted: ${v.reason}`);
    });
    if (tried.length > 1 && validation?.promote)
      notes.push(
        `alternative ${tried.length} was chosen on the held-out scenarios after ${tried.length - 1} failed the gate: a mild selection on the held-out set`,
      );
    if (!validation)
      notes.push(
        chosen.changes.length
          ? 'only counters changed: no behaviour to validate, nothing published'
          : 'no candidate change: nothing to validate or publish',
      );
    const curated = chosen;
    const promote = !!validation?.promote;
    control.found({ changes: curated.changes, validation });

    // 6. Publish.
    const outputs = await control.stage('publish', async () => {
      if (!promote) return { value: [] as PublishedPlaybook[], summary: 'nothing to publish' };
      const made: PublishedPlaybook[] = [];
      for (const [role, { candidate }] of curated.byRole) {
        if (!candidate) continue;
        const stored = await this.store(dream, candidate);
        made.push({
          role,
          version: stored.version,
          status: stored.status as 'active' | 'proposed',
        });
      }
      return {
        value: made,
        summary: made.length
          ? `${dream.publish === 'apply' ? 'applied' : 'proposed'} ${made.map((m) => `${m.role ?? 'agent'} v${m.version}`).join(', ')}`
          : 'nothing to publish',
      };
    });

    control.found({
      publication: outputs.length ? { mode: dream.publish, playbooks: outputs } : null,
    });

    // 7. Report (the stage record is added as it ends, so it is in the stored report).
    await control.stage('report', async () => ({
      value: null,
      summary: `${patterns.length} pattern(s), ${curated.changes.length} change(s), ${outputs.length} playbook version(s)`,
    }));
    return {
      report: control.report(dream, 'completed', null),
      outputs,
      environment: dreamer.environment,
      sessionsReviewed: sessions.length,
      reviewedUntil,
    };
  }

  /** Curates one alternative's drafts against each current playbook: deltas and the candidate version. */
  private curateAll(
    dream: DreamRecord,
    dreamer: EnvironmentDreamer,
    current: Map<string | null, StoredPlaybookVersion | null>,
    sessions: readonly CollectedSession[],
    verdicts: Map<string, SessionVerdict>,
    drafts: readonly RoleDraft[],
  ): Curated {
    const byRole = new Map<string | null, { deltas: Delta[]; candidate: PlaybookVersion | null }>();
    const changes: ChangeRecord[] = [];
    let skipped = 0;
    for (const role of dreamer.roles) {
      const head = current.get(role) ?? null;
      const uses: EntryUse[] = sessions.flatMap((s) => {
        const v = verdicts.get(s.session._id)!;
        return v.firedEntries
          .filter((f) => f.role === role)
          .map((f) => ({ entryId: f.entryId, sessionId: s.session._id, succeeded: v.succeeded }));
      });
      const r = curate(
        head?.entries ?? [],
        drafts.filter((d) => d.role === role).map((d) => d.draft),
        uses,
      );
      skipped += r.skipped.length;
      changes.push(...r.changes.map((c) => ({ ...c, role })));
      if (!r.deltas.length) {
        byRole.set(role, { deltas: [], candidate: null });
        continue;
      }
      const base =
        head ??
        emptyPlaybook({
          playbookId: playbookIdFor(dream.agentId, role),
          agentId: dream.agentId,
          ...(role ? { role } : {}),
        });
      const candidate = applyDeltas(base, r.deltas, { kind: 'dream', id: dream._id }, new Date(), {
        message: `dream ${dream._id}: ${r.changes.length} change(s) from ${sessions.length} session(s)`,
      });
      byRole.set(role, { deltas: r.deltas, candidate });
    }
    return { byRole, changes, skipped };
  }

  private async currentPlaybooks(dream: DreamRecord, roles: readonly (string | null)[]) {
    const active = await Promise.all(
      roles.map((role) =>
        this.versions.findActive(dream.tenantId, playbookIdFor(dream.agentId, role)),
      ),
    );
    return new Map<string | null, StoredPlaybookVersion | null>(
      roles.map((role, i) => [role, active[i]]),
    );
  }

  /** Applies or proposes the candidate as the next free version of its playbook. */
  private async store(dream: DreamRecord, candidate: PlaybookVersion) {
    const latest = await this.versions.latestVersionNumber(dream.tenantId, candidate.playbookId);
    const version = { ...candidate, version: latest + 1 };
    return dream.publish === 'apply'
      ? this.writer.activate(dream.tenantId, { ...version, status: 'active' })
      : this.writer.propose(dream.tenantId, { ...version, status: 'proposed' });
  }
}

function mostCommonEnvironment(sessions: readonly SessionView[]): string | null {
  const counts = new Map<string, number>();
  for (const s of sessions)
    if (s.run?.environment) counts.set(s.run.environment, (counts.get(s.run.environment) ?? 0) + 1);
  let best: string | null = null;
  for (const [env, n] of counts) if (!best || n > counts.get(best)!) best = env;
  return best;
}

function countKinds(changes: readonly ChangeRecord[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}
