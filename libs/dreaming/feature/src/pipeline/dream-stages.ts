import {
  candidateSignature,
  checkpointKey,
  curate,
  DEFAULT_GATE,
  findPatterns,
  gateCandidate,
  gradeRuns,
  rememberRefused,
  sandboxUngradableCriteria,
  scoreSplit,
  type ChangeRecord,
  type DreamCheckpoint,
  type DreamMemory,
  type DreamObjective,
  type FailureLocalisation,
  type FailurePattern,
  type EntryUse,
  type PublishedPlaybook,
  type TestReport,
  type TrainEvidence,
  type ValidationMetrics,
  withPromotionRules,
} from '@reverie/dreaming-domain';
import type { DreamRecord } from '@reverie/dreaming-data-access';
import { ANTHROPIC_DEFAULTS, createProvider, withSignal, withTokenBudget } from '@reverie/models';
import { playbookIdFor } from '@reverie/playbooks-data-access';
import type { AnthropicSettings } from '@reverie/service-kit';
import { parseOutcomeDefinition, type OutcomeDefinition } from '@reverie/outcomes-domain';
import {
  applyDeltas,
  emptyPlaybook,
  renderRules,
  type Delta,
  type LearnedFrom,
  type PlaybookVersion,
} from '@reverie/playbooks-domain';
import type {
  CollectedSession,
  EnvironmentDreamer,
  ReflectModel,
  ReflectResult,
  RoleDraft,
  RulesByRole,
  SessionVerdict,
  SplitSummary,
  SplitTasks,
} from '../environments/environment-dreamer';
import { ModelReflector } from '../reflectors/model-reflector';
import type { StageControl } from './dream-control';

/** What the stages need of the dream itself. */
export type DreamSpec = Pick<DreamRecord, '_id' | 'agentId' | 'instructions' | 'model' | 'publish'>;

/**
 * Where a dream reads and writes beyond its sandbox: Mongo repositories in the dreamer service
 * (MongoDreamPorts), files and memory offline (`reverie dream --offline`).
 */
export interface DreamPorts {
  /** The agent's outcome definition (its latest version), or null when it has none. */
  outcomeDefinition(): Promise<{ definition: unknown; version: number } | null>;
  /** The active version of each playbook of the agent (null: none yet). */
  currentPlaybooks(
    roles: readonly (string | null)[],
  ): Promise<Map<string | null, PlaybookVersion | null>>;
  /** Stores `candidate` as the next version of its playbook, with this status. */
  store(candidate: PlaybookVersion, status: 'active' | 'proposed'): Promise<PublishedPlaybook>;
  /**
   * Puts stored proposals on a canary trial (for a dreamer with `liveTrial`); absent where there
   * is no live traffic (offline dreams), which then publish as usual. Returns a line for the report.
   */
  startTrial?(proposals: PublishedPlaybook[]): Promise<{ trialId: string; note: string }>;
  /**
   * The agent's running canary trial, or null; absent where there is no live traffic. While one
   * runs, a dream makes no version active that the trial has not tested: a candidate of a
   * `liveTrial` dreamer goes on a newer trial (which stops the older one), and counters are not
   * kept (a new active version would change the trial's control under it).
   */
  runningTrial?(): Promise<string | null>;
  /** What earlier dreams of this agent in this environment tried and refused. */
  loadMemory(environment: string): Promise<DreamMemory>;
  saveMemory(memory: DreamMemory): Promise<void>;
  /**
   * This dream's checkpoint from an earlier run (null: none), and where to keep the one this run
   * makes once reflect has ended (false: not kept). Absent where a dream runs once (offline).
   */
  checkpoint?: {
    earlier: DreamCheckpoint | null;
    save(checkpoint: Omit<DreamCheckpoint, 'sessionIds'>): Promise<boolean>;
  };
}

export interface StageSettings {
  /** Sandbox flights / rule-set evaluations the dream may spend on localising and reflecting. */
  maxSimulations: number;
  /** The model reflector's connection (absent: builtin reflectors only). */
  anthropic?: AnthropicSettings;
  /**
   * What the reviewed sessions' tasks came from, as a version's `learnedFrom` names it (the
   * offline CLI's `--cases` or `--scenarios`); default `sessions of agent <id>`.
   */
  learnedInput?: string;
}

export interface StagesResult {
  outputs: PublishedPlaybook[];
  /** True when the dream found nothing left to learn (every candidate refused before, or none). */
  exhausted: boolean;
  /** How the reviewed sessions' tasks split. */
  split: SplitSummary;
}

/** One alternative, curated: per playbook its deltas and candidate version, and the changes. */
interface Curated {
  byRole: Map<string | null, { deltas: Delta[]; candidate: PlaybookVersion | null }>;
  changes: ChangeRecord[];
  skipped: number;
  /** Entries the counters would retire but the reviewed sessions do not show hurting, and why. */
  kept: string[];
  signature: string;
  /** What the reflector measured for this alternative on the training split, when it did. */
  train?: TrainEvidence;
}

/** The reviewed update / merge / retire deltas a dreamer's model reflector proposed. */
type Proposals = NonNullable<ReflectResult['model']>['proposals'];

/** Alternatives validated at most (each costs one run per validation task). */
const MAX_ALTERNATIVES = 4;

/** Shares of a dream's simulation budget: localising failures, then searching rules. */
const LOCALISE_SHARE = 0.35;

/** Everything a stage reads, once collect has run. */
interface Ctx {
  spec: DreamSpec;
  control: StageControl;
  ports: DreamPorts;
  settings: StageSettings;
  dreamer: EnvironmentDreamer;
  sessions: readonly CollectedSession[];
}

/** Fewer held-out tasks than this: a promotion (or a test rate) rests on a handful; said so. */
const FEW_HELD_OUT = 5;

/**
 * What a split too small to trust gets said about it: a validation split of a few tasks gates a
 * promotion on them, a test split of a few reports a rate with a wide interval. An empty one is
 * said where it matters (no validation: nothing promoted; no test: no curve).
 */
function thinSplitNotes(split: SplitSummary): string[] {
  const few = (['validation', 'test'] as const).filter(
    (k) => split[k] > 0 && split[k] < FEW_HELD_OUT,
  );
  if (!few.length) return [];
  const sizes = few.map((k) => `${k} ${split[k]}`).join(', ');
  const why = few.map((k) =>
    k === 'validation' ? 'a promotion rests on them' : 'the test rates have wide intervals',
  );
  return [`few held-out tasks (${sizes}): ${why.join('; ')}; give more tasks for firmer numbers`];
}

/** The split, its tasks digested once however often they are asked for. */
function withTasksOnce(split: SplitSummary): SplitSummary {
  const tasks = split.tasks;
  if (!tasks) return split;
  let digested: SplitTasks | undefined;
  return { ...split, tasks: () => (digested ??= tasks()) };
}

/**
 * Held-out tasks with the same content as a task the dream learns from or chooses on (a folder
 * of copies, a scenario listed twice under two ids): the split goes by id, so they would pass
 * for unseen and flatter the gate or the test numbers. Said, not fixed: the copies are the
 * user's to remove.
 */
export function copiedTaskNotes(tasks: SplitTasks | undefined): string[] {
  if (!tasks) return [];
  const train = new Map(tasks.train.map((t) => [t.digest, t.id]));
  const chosen = new Map([...tasks.validation.map((t) => [t.digest, t.id] as const), ...train]);
  const copies = (held: SplitTasks['test'], of: Map<string, string>) =>
    held.filter((t) => of.has(t.digest)).map((t) => `${t.id} = ${of.get(t.digest)}`);
  const said = (split: string, held: SplitTasks['test'], found: string[], of: string) =>
    found.length
      ? [
          `${found.length} of ${held.length} ${split} task(s) have the same content as ${of} (${found.slice(0, 3).join(', ')}${found.length > 3 ? ', …' : ''}): they are not held-out, and the ${split} numbers flatter the dream; remove the copies`,
        ]
      : [];
  return [
    ...said('validation', tasks.validation, copies(tasks.validation, train), 'a training task'),
    ...said('test', tasks.test, copies(tasks.test, chosen), 'a training or validation task'),
  ];
}

/**
 * The dream's stages after collect: localise, reflect, curate, validate, publish, report, over
 * ports (so the dreamer service and the offline CLI run the same sequence). Splits: learn on
 * train, choose and gate on validation, report on test (read only after every decision).
 */
export async function runDreamStages(ctx: Ctx): Promise<StagesResult> {
  const { control, dreamer, sessions, ports } = ctx;
  const notes = control.notes;
  const verdicts = new Map(sessions.map((s) => [s.session._id, dreamer.verdict(s)]));
  const failed = sessions.filter((s) => !verdicts.get(s.session._id)?.succeeded);
  const successes = sessions.filter((s) => verdicts.get(s.session._id)?.succeeded);
  control.found({ environment: dreamer.environment, failedSessions: failed.length });
  const prepared = await dreamer.prepare(sessions);
  const split = withTasksOnce(dreamer.describeSplit(prepared));
  notes.push(split.note, ...thinSplitNotes(split), ...copiedTaskNotes(split.tasks?.()));
  const objective = await objectiveFor(ports, dreamer);
  control.found({ objective: objective.report });
  if (objective.note) notes.push(objective.note);
  const memory = await ports.loadMemory(dreamer.environment);
  const current = await ports.currentPlaybooks(dreamer.roles);
  const currentRules: RulesByRole = new Map(
    [...current].map(([role, v]) => [role, v ? renderRules(v) : []]),
  );

  const refused = new Set(memory.refused.map((r) => r.signature));
  const { drafts, proposals, patterns } = await localiseAndReflect(ctx, {
    prepared,
    failed,
    successes,
    current,
    currentRules,
    objective,
    memory,
    refused,
  });

  const alternatives = splitAlternatives(drafts);
  if (!alternatives.length && proposals.length) alternatives.push([]);
  // Counters and retirements read the training split's sessions only, as reflect does.
  const learned = trainVerdicts(verdicts, split);
  const reviewed = reviewedOf(learned);
  const learnedFrom = learnedRecord(ctx, split);
  const curatedAll = await control.stage('curate', async () => {
    const all = alternatives.map((alt, i) =>
      curateAll(
        ctx,
        current,
        { trained: learned, learnedFrom },
        reviewed,
        alt,
        i === 0 ? proposals : [],
      ),
    );
    const fresh = all.filter((c) => !refused.has(c.signature)).slice(0, MAX_ALTERNATIVES);
    const known = all.length - all.filter((c) => !refused.has(c.signature)).length;
    // The same for every alternative (the counters do not depend on the drafts): said once.
    notes.push(...(all[0]?.kept ?? []));
    if (known)
      notes.push(
        `${known} alternative(s) skipped: earlier dreams validated and refused the same change (${memory.refused.length} refusal(s) remembered)`,
      );
    const first = fresh[0];
    return {
      value: { fresh, known },
      summary: first
        ? `candidate of ${first.changes.length} change(s): ${countKinds(first.changes)}${first.skipped ? `; ${first.skipped} draft(s) skipped` : ''}${fresh.length > 1 ? `; ${fresh.length - 1} alternative(s) held in reserve` : ''}${known ? `; ${known} refused before, skipped` : ''}`
        : known
          ? `no new candidate: ${known} alternative(s) were refused by earlier dreams`
          : 'no candidate change',
    };
  });
  const behavioural = curatedAll.fresh.filter((c) =>
    c.changes.some((x) => x.kind !== 'record_outcome'),
  );
  const exhausted = !behavioural.length;
  if (exhausted)
    notes.push(
      curatedAll.known
        ? 'nothing left to learn: every candidate the reflectors found was refused by an earlier dream; the dream stopped before validation'
        : split.train === 0
          ? 'nothing left to learn: the training split is empty (every reviewed task is held out to validate or test; give more tasks); the dream stopped before validation'
          : 'nothing left to learn: the reflectors found no change that helps on the training split; the dream stopped before validation',
    );
  control.found({ changes: curatedAll.fresh[0]?.changes ?? [] });

  const v = behavioural.length
    ? await validateStage(ctx, prepared, objective.definition, currentRules, behavioural)
    : null;
  if (v) {
    memory.tried += v.tried.length;
    v.tried.forEach((m, i) => {
      if (m.promote) return;
      notes.push(`alternative ${i + 1} not promoted: ${m.reason}`);
      // With no validation task nothing was judged: a later dream, with more tasks, tries it.
      if (m.heldOut === 0) return;
      rememberRefused(memory, {
        signature: behavioural[i].signature,
        title: behavioural[i].changes
          .map((c) => c.title)
          .join('; ')
          .slice(0, 300),
        reason: m.reason,
        dreamId: ctx.spec._id,
      });
    });
  }
  const chosen = v?.chosen ?? null;
  const counters = chosen ? null : countersOnly(ctx, current, learned);
  control.found({
    changes: chosen?.changes ?? counters?.changes ?? [],
    validation: v?.metrics ?? null,
  });

  const outputs = await control.stage('publish', async () => {
    const made: PublishedPlaybook[] = [];
    // A dreamer without a simulator proves its candidate on live traffic first: a proposal on trial.
    const trial = chosen && ctx.dreamer.liveTrial && ports.startTrial ? ports.startTrial : null;
    if (chosen)
      for (const { candidate } of chosen.byRole.values())
        if (candidate)
          made.push(
            await ports.store(
              candidate,
              ctx.spec.publish === 'apply' && !trial ? 'active' : 'proposed',
            ),
          );
    if (trial && made.length) {
      const started = await trial(made);
      notes.push(started.note);
      // On trial, not waiting for a person: dream.ended says so (no playbook.proposed webhook).
      for (const m of made) m.trialId = started.trialId;
    }
    // Counters are no behaviour change: kept as an active version even when nothing is promoted,
    // unless a trial runs (the version it compares stays the active one until it decides).
    const running = counters && ports.runningTrial ? await ports.runningTrial() : null;
    if (counters && running)
      notes.push(
        `counters not kept: canary trial ${running} is running, and a new active version would change its control; the trial's decision sets the active version (a later dream counts the uses again)`,
      );
    else if (counters) for (const c of counters.versions) made.push(await ports.store(c, 'active'));
    return {
      value: made,
      summary: made.length
        ? `${chosen ? (trial ? 'put on trial' : ctx.spec.publish === 'apply' ? 'applied' : 'proposed') : 'counters kept in'} ${made.map((m) => `${m.role ?? 'agent'} v${m.version}`).join(', ')}`
        : running
          ? `nothing to publish: counters not kept while trial ${running} runs`
          : 'nothing to publish',
    };
  });
  control.found({
    publication: outputs.length ? { mode: ctx.spec.publish, playbooks: outputs } : null,
  });
  memory.dreams += 1;
  memory.lastExhausted = exhausted;
  await ports.saveMemory(memory);

  await control.stage('report', async () => {
    const test = await testReport(
      ctx,
      prepared,
      objective.definition,
      currentRules,
      v?.chosenRules ?? null,
    );
    control.found({ test: test.value });
    return {
      value: null,
      summary: `${patterns.length} pattern(s), ${(chosen ?? counters)?.changes.length ?? 0} change(s), ${outputs.length} playbook version(s); ${test.summary}`,
      simulations: test.simulations,
    };
  });
  return { outputs, exhausted, split };
}

/** What localise and reflect read, besides the context. */
interface LearnInputs {
  prepared: unknown;
  failed: readonly CollectedSession[];
  successes: readonly CollectedSession[];
  current: ReadonlyMap<string | null, PlaybookVersion | null>;
  currentRules: RulesByRole;
  objective: Awaited<ReturnType<typeof objectiveFor>>;
  memory: DreamMemory;
  refused: ReadonlySet<string>;
}

/**
 * Localise, then reflect; or, when an earlier run of this dream left a checkpoint made from the
 * same inputs, the stages as that run left them (its spending is in the dream's usage already):
 * both, or localise alone when it ended before reflect did. A run keeps a checkpoint after each
 * stage it does, for a later run.
 */
async function localiseAndReflect(
  ctx: Ctx,
  inputs: LearnInputs,
): Promise<{ drafts: RoleDraft[]; proposals: Proposals; patterns: FailurePattern[] }> {
  const { control, ports } = ctx;
  const key = checkpointKeyOf(ctx, inputs);
  const saved = ports.checkpoint?.earlier ?? null;
  const earlier = saved?.key === key ? saved : null;
  if (saved && !earlier)
    control.notes.push(
      'an earlier run of this dream left a checkpoint, but its sessions, playbooks, outcome definition or settings have changed since: every stage ran again',
    );
  const notesBefore = control.notes.length;
  const stagesBefore = control.stages.length;
  const localisations = earlier
    ? await keptStage(control, earlier, 'localise', earlier.localisations as FailureLocalisation[])
    : await localiseStage(ctx, inputs);
  const patterns = findPatterns(localisations);
  control.found({ localisations, patterns });
  if (earlier?.drafts) {
    const kept = await keptStage(control, earlier, 'reflect', {
      drafts: earlier.drafts as RoleDraft[],
      proposals: (earlier.proposals ?? []) as Proposals,
    });
    control.notes.push(...earlier.notes);
    return { ...kept, patterns };
  }
  // What this run's checkpoints hold: localise as it first ran (its record, not "kept from").
  const localised = earlier
    ? { stages: earlier.stages.filter((s) => s.stage === 'localise'), notes: earlier.notes }
    : { stages: control.stages.slice(stagesBefore), notes: control.notes.slice(notesBefore) };
  if (earlier) control.notes.push(...earlier.notes);
  // A run that ends in reflect (the longest stage) leaves what it localised. A checkpoint that
  // cannot be kept is said after reflect, when it matters.
  else
    await ports.checkpoint
      ?.save({ key, ...localised, localisations, drafts: null, proposals: null })
      .catch(() => false);
  const reflectedAt = control.stages.length;
  const { drafts, proposals } = await reflectStage(
    ctx,
    inputs.prepared,
    inputs.current,
    inputs.currentRules,
    inputs.objective.definition,
    patterns,
    inputs.refused,
    inputs.memory.dreams,
  );
  const kept = await ports.checkpoint
    ?.save({
      key,
      stages: [...localised.stages, ...control.stages.slice(reflectedAt)],
      localisations,
      drafts,
      proposals,
      notes: [...localised.notes, ...control.notes.slice(notesBefore + localised.notes.length)],
    })
    .catch(() => false);
  if (kept === false)
    control.notes.push(
      'no checkpoint kept after reflect (too large, or the store refused it): if this dream is resumed, it localises and reflects again',
    );
  return { drafts, proposals, patterns };
}

/** The inputs a checkpoint depends on, as its key. */
function checkpointKeyOf(ctx: Ctx, inputs: LearnInputs): string {
  const objective = inputs.objective.report;
  return checkpointKey({
    environment: ctx.dreamer.environment,
    sessionIds: ctx.sessions.map((s) => s.session._id),
    failedSessionIds: inputs.failed.map((s) => s.session._id),
    playbooks: [...inputs.current].map(([role, v]) => ({ role, version: v?.version ?? null })),
    objective: { source: objective.source, version: objective.version ?? null },
    memory: { dreams: inputs.memory.dreams, refused: [...inputs.refused] },
    maxSimulations: ctx.settings.maxSimulations,
    model: ctx.spec.model,
    instructions: ctx.spec.instructions,
  });
}

/** A stage an earlier run did, recorded again with what it produced (spending nothing now). */
function keptStage<T>(
  control: StageControl,
  earlier: DreamCheckpoint,
  stage: 'localise' | 'reflect',
  value: T,
): Promise<T> {
  const record = earlier.stages.find((s) => s.stage === stage);
  return control.stage(stage, async () => ({
    value,
    summary: `kept from an earlier run of this dream: ${record?.summary ?? 'no summary'}`,
  }));
}

async function localiseStage(ctx: Ctx, inputs: LearnInputs): Promise<FailureLocalisation[]> {
  const { control, dreamer, settings } = ctx;
  return control.stage('localise', async (progress) => {
    const r = await dreamer.localise(
      inputs.prepared,
      inputs.failed,
      inputs.successes,
      inputs.currentRules,
      { simulations: Math.floor(settings.maxSimulations * LOCALISE_SHARE) },
      (done, total) => progress(done, total, 'failed sessions localised'),
      inputs.objective.definition,
    );
    return { value: r.localisations, summary: r.work.summary, simulations: r.work.simulations };
  });
}

async function reflectStage(
  ctx: Ctx,
  prepared: unknown,
  current: ReadonlyMap<string | null, PlaybookVersion | null>,
  currentRules: RulesByRole,
  definition: OutcomeDefinition,
  patterns: ReturnType<typeof findPatterns>,
  refused: ReadonlySet<string>,
  round: number,
): Promise<{ drafts: RoleDraft[]; proposals: Proposals }> {
  const { control, dreamer, spec, settings } = ctx;
  return control.stage('reflect', async (progress, signal) => {
    const budget = Math.max(0, settings.maxSimulations - control.simulations);
    const model = { model: spec.model.model, maxTokens: spec.model.maxTokens };
    // The dream's model calls end when the dream must stop part-way (canceled, taken over), and
    // one that could cost more than is left of its token budget is not sent.
    const provider = () =>
      withSignal(
        withTokenBudget(
          createProvider({ provider: 'anthropic', ...model }, { anthropic: settings.anthropic }),
          control.tokensLeft,
          ANTHROPIC_DEFAULTS.maxTokens,
        ),
        signal,
      );
    // The dream's model, offered to a dreamer with a model reflector of its own (external).
    const offered: ReflectModel | undefined =
      spec.model.provider === 'anthropic' && settings.anthropic
        ? {
            provider: provider(),
            ...model,
            instructions: spec.instructions,
            agentId: spec.agentId,
            playbooks: current,
            tokensLeft: control.tokensLeft,
          }
        : undefined;
    const r = await dreamer.reflect(
      prepared,
      currentRules,
      { simulations: budget, refused, round, progress },
      definition,
      offered,
    );
    if (!signal.aborted) control.notes.push(...(r.notes ?? []));
    if (r.model) {
      // Its notes would say the model failed when the dream's stopping aborted its call.
      if (!signal.aborted) control.notes.push(...r.model.notes);
      return {
        value: { drafts: r.drafts, proposals: r.model.proposals },
        summary: r.work.summary,
        simulations: r.work.simulations,
        usage: r.model.usage,
      };
    }
    const plain = { drafts: r.drafts, proposals: [] };
    if (spec.model.provider !== 'anthropic' || !r.drafts.length)
      return { value: plain, summary: r.work.summary, simulations: r.work.simulations };
    if (!settings.anthropic) {
      control.notes.push(
        'model reflector skipped: the dream asked for anthropic but the dreamer has no ANTHROPIC_API_KEY; the drafts keep their generated text',
      );
      return { value: plain, summary: r.work.summary, simulations: r.work.simulations };
    }
    const reflector = new ModelReflector(provider(), model);
    const m = await reflector
      .reflect({
        environment: dreamer.environment,
        instructions: spec.instructions,
        patterns,
        drafts: r.drafts,
        tokensLeft: control.tokensLeft,
      })
      .catch((err: unknown) => {
        // Aborted because the dream is stopping: the stage's record stands (its flights count),
        // and the dream's last note says where it stopped.
        if (!signal.aborted)
          control.notes.push(
            `model reflector failed: ${(err as Error).message}; the drafts keep their generated text`,
          );
        return null;
      });
    if (!m) return { value: plain, summary: r.work.summary, simulations: r.work.simulations };
    control.notes.push(...m.notes);
    return {
      value: { drafts: m.drafts, proposals: [] },
      summary: `${r.work.summary}; the model reflector rewrote ${m.rewritten} of ${r.drafts.length} draft(s)`,
      simulations: r.work.simulations,
      usage: m.usage,
    };
  });
}

/** Validation split: the current rules once, then each alternative until one passes the gate. */
async function validateStage(
  ctx: Ctx,
  prepared: unknown,
  definition: OutcomeDefinition,
  currentRules: RulesByRole,
  alternatives: readonly Curated[],
) {
  const { control, dreamer } = ctx;
  const gate = withPromotionRules({ ...DEFAULT_GATE, ...dreamer.gate }, definition);
  const tried: ValidationMetrics[] = [];
  let chosen: Curated | null = null;
  let chosenRules: RulesByRole | null = null;
  const metrics = await control.stage('validate', async () => {
    if (dreamer.offlineGate) {
      // No sandbox: the dreamer's held-out check decides (its drafts are one alternative).
      const m = dreamer.offlineGate(prepared);
      tried.push(m);
      if (m.promote) {
        chosen = alternatives[0];
        chosenRules = rulesWith(currentRules, alternatives[0]);
      }
      return {
        value: m,
        summary: `offline check on held-out sessions: ${m.reason}`,
        simulations: 0,
      };
    }
    const base = await dreamer.evaluate(prepared, 'validation', currentRules);
    const before = await gradeRuns(definition, dreamer.environment, base.runs);
    let simulations = base.work.simulations;
    for (const c of alternatives) {
      const rules = rulesWith(currentRules, c);
      const r = await dreamer.evaluate(prepared, 'validation', rules);
      simulations += r.work.simulations;
      const m = gateCandidate(
        before,
        await gradeRuns(definition, dreamer.environment, r.runs),
        gate,
        c.train,
      );
      tried.push(m);
      if (m.promote) {
        chosen = c;
        chosenRules = rules;
        break;
      }
    }
    const promoted = tried.find((m) => m.promote) ?? null;
    return {
      value: promoted ?? tried[0],
      summary: `${tried.length} alternative(s) validated on ${before.length} validation task(s); ${promoted ? `alternative ${tried.length} promoted: ${promoted.reason}` : `none promoted: ${tried[0].reason}`}`,
      simulations,
    };
  });
  if (tried.length > 1 && chosen)
    control.notes.push(
      `alternative ${tried.length} was chosen on the validation split after ${tried.length - 1} failed the gate; the test split was not used to choose`,
    );
  return {
    metrics,
    tried,
    chosen: chosen as Curated | null,
    chosenRules: chosenRules as RulesByRole | null,
  };
}

/** The test split with the current rules, and with the promoted ones when there are. */
async function testReport(
  ctx: Ctx,
  prepared: unknown,
  definition: OutcomeDefinition,
  current: RulesByRole,
  promoted: RulesByRole | null,
): Promise<{ value: TestReport | null; summary: string; simulations: number }> {
  const { dreamer } = ctx;
  const base = await dreamer.evaluate(prepared, 'test', current);
  if (!base.runs.length) return { value: null, summary: 'no test tasks', simulations: 0 };
  const before = scoreSplit('test', await gradeRuns(definition, dreamer.environment, base.runs));
  let after = null;
  let simulations = base.work.simulations;
  if (promoted) {
    const r = await dreamer.evaluate(prepared, 'test', promoted);
    simulations += r.work.simulations;
    after = scoreSplit('test', await gradeRuns(definition, dreamer.environment, r.runs));
  }
  return {
    value: { split: 'test', before, after },
    summary: `test split: ${before.satisfied} of ${before.tasks} satisfied before${after ? `, ${after.satisfied} after` : ' (nothing promoted)'}`,
    simulations,
  };
}

/** The agent's outcome definition (latest version), or the environment's default rubric. */
async function objectiveFor(
  ports: DreamPorts,
  dreamer: EnvironmentDreamer,
): Promise<{ definition: OutcomeDefinition; report: DreamObjective; note: string | null }> {
  const record = await ports.outcomeDefinition();
  const fallback = dreamer.defaultObjective;
  const defaultNote = `the agent has no outcome definition: the dream optimised ${dreamer.environment}'s default rubric ("${fallback.description}")`;
  if (record)
    try {
      const definition = parseOutcomeDefinition(record.definition);
      return {
        definition,
        report: describeObjective(dreamer, definition, 'agent', record.version),
        note: null,
      };
    } catch (err) {
      return {
        definition: fallback,
        report: describeObjective(dreamer, fallback, 'default', null),
        note: `the agent's outcome definition v${record.version} could not be read (${(err as Error).message}): the dream optimised the default rubric`,
      };
    }
  return {
    definition: fallback,
    report: describeObjective(dreamer, fallback, 'default', null),
    note: defaultNote,
  };
}

function describeObjective(
  dreamer: EnvironmentDreamer,
  d: OutcomeDefinition,
  source: 'agent' | 'default',
  version: number | null,
): DreamObjective {
  return {
    source,
    version,
    description: d.description,
    criteria: d.criteria.map((c) => ({ id: c.id, required: c.required })),
    notGradable: [...sandboxUngradableCriteria(d, dreamer.sandboxRecords ?? 'session').keys()],
  };
}

/** Which entries acted in which sessions, by role: only those whose condition matched. */
function usesOf(
  sessions: readonly CollectedSession[],
  verdicts: Map<string, SessionVerdict>,
  role: string | null,
): EntryUse[] {
  return sessions.flatMap((s) => {
    const v = verdicts.get(s.session._id);
    if (!v) return [];
    return [...new Set(v.firedEntries.filter((f) => f.role === role).map((f) => f.entryId))].map(
      (entryId) => ({ entryId, sessionId: s.session._id, succeeded: v.succeeded }),
    );
  });
}

/** Curates one alternative's drafts against each current playbook: deltas and the candidate. */
function curateAll(
  ctx: Ctx,
  current: Map<string | null, PlaybookVersion | null>,
  /**
   * The verdicts of sessions on training tasks (trainVerdicts), and what a version that changes
   * rules records it learned from (learnedRecord).
   */
  {
    trained,
    learnedFrom,
  }: { trained: Map<string, SessionVerdict>; learnedFrom: () => LearnedFrom[] },
  reviewed: readonly { sessionId: string; succeeded: boolean }[],
  drafts: readonly RoleDraft[],
  proposals: Proposals = [],
): Curated {
  const byRole = new Map<string | null, { deltas: Delta[]; candidate: PlaybookVersion | null }>();
  const changes: ChangeRecord[] = [];
  const kept: string[] = [];
  let skipped = 0;
  for (const role of ctx.dreamer.roles) {
    const head = current.get(role) ?? null;
    const r = curate(
      head?.entries ?? [],
      drafts.filter((d) => d.role === role).map((d) => d.draft),
      usesOf(ctx.sessions, trained, role),
      { proposed: proposals.filter((p) => p.role === role), reviewed },
    );
    skipped += r.skipped.length;
    kept.push(...r.kept.map((x) => `${role ?? 'agent'} entry "${x.title}" ${x.reason}`));
    // A model's proposal that curate could not apply (it clashes with this dream's other changes).
    for (const s of r.skipped)
      if (
        s.reason.startsWith('the playbook would refuse it') &&
        proposals.some((p) => p.role === role && p.title === s.title)
      )
        ctx.control.notes.push(
          `model reflector proposal "${s.title}" (${role ?? 'agent'}) dropped by curate: ${s.reason}`,
        );
    changes.push(...r.changes.map((c) => ({ ...c, role })));
    byRole.set(role, {
      deltas: r.deltas,
      candidate: r.deltas.length
        ? nextVersion(ctx, head, role, r.deltas, r.changes.length, trained.size, {
            // Counters alone change no behaviour: only a change of rules says what it learned from.
            learnedFrom: r.deltas.some((d) => d.kind !== 'record_outcome') ? learnedFrom() : [],
          })
        : null,
    });
  }
  // The model's updates, merges and retires are part of what was tried (and maybe refused).
  const signature = [
    candidateSignature(drafts),
    ...proposals.map((p) => `${p.role ?? '-'}:${JSON.stringify(p.delta)}`).sort(),
  ].join('|');
  const train = drafts.find((d) => d.train)?.train;
  return { byRole, changes, skipped, kept, signature, ...(train ? { train } : {}) };
}

/**
 * The verdicts of sessions on training tasks: a rule's uses on validation or test tasks are not
 * counted, so no session the gate or the report reads bears on a counter or a retirement.
 */
function trainVerdicts(
  verdicts: Map<string, SessionVerdict>,
  split: SplitSummary,
): Map<string, SessionVerdict> {
  return new Map([...verdicts].filter(([id]) => split.trainSessions.has(id)));
}

/** Every reviewed session with whether it succeeded (what curate weighs an entry's uses against). */
function reviewedOf(verdicts: Map<string, SessionVerdict>) {
  return [...verdicts].map(([sessionId, v]) => ({ sessionId, succeeded: v.succeeded }));
}

/** Only the counters (record_outcome) of every playbook, as versions to keep. */
function countersOnly(
  ctx: Ctx,
  current: Map<string | null, PlaybookVersion | null>,
  /** The verdicts of sessions on training tasks (trainVerdicts). */
  trained: Map<string, SessionVerdict>,
): { versions: PlaybookVersion[]; changes: ChangeRecord[] } | null {
  const versions: PlaybookVersion[] = [];
  const changes: ChangeRecord[] = [];
  for (const role of ctx.dreamer.roles) {
    const head = current.get(role) ?? null;
    if (!head) continue;
    const r = curate(head.entries, [], usesOf(ctx.sessions, trained, role));
    const deltas = r.deltas.filter((d) => d.kind === 'record_outcome');
    if (!deltas.length) continue;
    changes.push(
      ...r.changes.filter((c) => c.kind === 'record_outcome').map((c) => ({ ...c, role })),
    );
    versions.push(
      nextVersion(ctx, head, role, deltas, deltas.length, trained.size, {
        what: 'counters only',
      }),
    );
  }
  return versions.length ? { versions, changes } : null;
}

function nextVersion(
  ctx: Ctx,
  head: PlaybookVersion | null,
  role: string | null,
  deltas: Delta[],
  count: number,
  /** The reviewed sessions on training tasks, which the changes and counters come from. */
  trained: number,
  { what = 'change(s)', learnedFrom = [] }: { what?: string; learnedFrom?: LearnedFrom[] } = {},
): PlaybookVersion {
  const { spec, sessions } = ctx;
  const base =
    head ??
    emptyPlaybook({
      playbookId: playbookIdFor(spec.agentId, role),
      agentId: spec.agentId,
      ...(role ? { role } : {}),
    });
  return applyDeltas(base, deltas, { kind: 'dream', id: spec._id }, new Date(), {
    message: `dream ${spec._id}: ${count} ${what} from ${trained} training session(s) of ${sessions.length} reviewed`,
    learnedFrom,
  });
}

/**
 * What a version whose rules this dream changes records it learned from: the training and
 * validation tasks of the split, on the sessions' input (none where the dreamer has no tasks of
 * its own). Digested once, and only when a candidate changes rules.
 */
function learnedRecord(ctx: Ctx, split: SplitSummary): () => LearnedFrom[] {
  let record: LearnedFrom[] | undefined;
  return () => {
    if (record) return record;
    const tasks = split.tasks?.();
    record = tasks
      ? [
          {
            environment: ctx.dreamer.environment,
            input: ctx.settings.learnedInput ?? `sessions of agent ${ctx.spec.agentId}`,
            train: tasks.train,
            validation: tasks.validation,
          },
        ]
      : [];
    return record;
  };
}

/** The current rules with an alternative's candidate versions in place of their playbooks. */
function rulesWith(current: RulesByRole, c: Curated): RulesByRole {
  return new Map(
    [...current].map(([role, rules]) => {
      const v = c.byRole.get(role)?.candidate;
      return [role, v ? renderRules(v) : rules];
    }),
  );
}

/** Drafts grouped by the alternative they belong to (`alternative`, 0 first), in order. */
function splitAlternatives(drafts: readonly RoleDraft[]): RoleDraft[][] {
  const out: RoleDraft[][] = [];
  for (const d of drafts) (out[d.alternative ?? 0] ??= []).push(d);
  return out.filter(Boolean);
}

function countKinds(changes: readonly ChangeRecord[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}
