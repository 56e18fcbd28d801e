/**
 * `npm run bench:dream`: what a dream costs. In-process, no stack needed.
 *
 * Part 1, cost against sessions reviewed: for lunar-lander and ci-log-triage, 10, 100 and 1,000
 * day-one sessions (round-robin over the bundled scenarios / dataset cases) go through the
 * dreamer's sandbox stages as DreamPipeline runs them (prepare, localise, reflect, curate,
 * validate) with the dreamer's default budget; wall time and simulations per stage.
 *
 * Part 2, tokens: ci-log-triage sessions run by the anthropic provider (runModelTriage) against
 * the local Messages API server, which counts tokens and simulates prompt caching; then the dream's
 * only model request (the model reflector, instructions cached) over the drafts the triage dreamer
 * made for those sessions. Reports both totals and the ratio.
 *
 * Collect (MongoDB reads), publish (one playbook write per role) and report are not run: they do
 * no simulation and cost a few queries. Writes bench/results/dream.json and dream.md.
 *
 *   npm run bench:dream                  default budget (DEFAULT_DREAMER_OPTIONS.maxSimulations)
 *   npm run bench:dream -- --budget 1500 another lander/triage budget for Part 1
 *   npm run bench:dream -- --scaled      also a lander series with 30 x N simulations (capped)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  loadDataset,
  runBuiltinTriage,
  type TriageCase,
  type TriageResult,
} from '@reverie/ci-log-triage';
import type { SessionEventBody } from '@reverie/contracts';
import {
  curate,
  DEFAULT_GATE,
  findPatterns,
  gateCandidate,
  gradeRuns,
} from '@reverie/dreaming-domain';
import {
  DEFAULT_DREAMER_OPTIONS,
  LanderDreamer,
  ModelReflector,
  TriageDreamer,
  type CollectedSession,
  type EnvironmentDreamer,
  type RoleDraft,
  type RulesByRole,
} from '@reverie/dreaming-feature';
import {
  BuiltinLunarTeam,
  expandFamily,
  familyNames,
  flyLanding,
  type LandingResult,
  type Scenario,
} from '@reverie/lunar-lander';
import { addUsage, createProvider, zeroUsage, type TokenUsage } from '@reverie/models';
import { runModelTriage } from '@reverie/orchestration-feature';
import type { OutcomeRecord } from '@reverie/outcomes-data-access';
import { playbookIdFor } from '@reverie/playbooks-data-access';
import { applyDeltas, emptyPlaybook, renderRules } from '@reverie/playbooks-domain';
import type { SessionView } from '@reverie/sessions-data-access/readers';
import {
  MessagesServer,
  toolUseReply,
  type ReplyScript,
  type WireBlock,
} from '@reverie/testing/anthropic';
import { bundledDatasetsDir } from '@reverie/service-kit';
import { CollectStore } from './support/dream-collect';
import { machineInfo } from './support/report';

const SIZES = [10, 100, 1_000];
const TOKEN_SIZES = [10, 100];
/** DreamPipeline's share of the budget for localising (not exported there). */
const LOCALISE_SHARE = 0.35;
const SCALED_PER_SESSION = 30;
const SCALED_CAP = 6_000;
const AGENT = 'agt_bench';
const MODEL = 'claude-bench';
/** Anthropic list-price weights relative to plain input: cache write, cache read, output. */
const PRICE = { input: 1, cacheWrite: 1.25, cacheRead: 0.1, output: 5 };

const log = (line: string) => process.stderr.write(`dream bench: ${line}\n`);
const since = (t: number) => Math.round(performance.now() - t);

// ---------------------------------------------------------------------------------------------
// The dream's sandbox stages, as DreamPipeline runs them.

interface DreamRow {
  environment: string;
  sessions: number;
  budget: number;
  failed: number;
  /** Distinct training scenarios (lander) or cases (triage) the dream learns from. */
  trainingTasks: number;
  /** Reviewed sessions on training tasks, and on held-out ones (never learned from). */
  trainingSessions: number;
  heldOutSessions: number;
  ms: {
    /** MongoDB reads of the sessions and their filtered events (null: no MONGO_URL given). */
    collect: number | null;
    prepare: number;
    localise: number;
    reflect: number;
    curate: number;
    validate: number;
  };
  /** What collect read: sessions, and events through the environment's filter. */
  collected?: { sessions: number; events: number; storedSessionsInDb: number };
  totalMs: number;
  msPerSession: number;
  simulations: { localise: number; reflect: number; validate: number; total: number };
  drafts: number;
  changes: number;
  /** Null when curate changed no behaviour (nothing to validate). */
  validation: {
    metric: string;
    before: number;
    after: number;
    promote: boolean;
    reason: string;
  } | null;
}

/** Verdicts, prepare and localise: what every dream does before it reflects. */
async function review<P>(
  dreamer: EnvironmentDreamer<P>,
  sessions: readonly CollectedSession[],
  budget: number,
) {
  let t = performance.now();
  const verdicts = new Map(sessions.map((s) => [s.session._id, dreamer.verdict(s)]));
  const succeeded = (s: CollectedSession) => verdicts.get(s.session._id)?.succeeded ?? false;
  const failed = sessions.filter((s) => !succeeded(s));
  const prepared = await dreamer.prepare(sessions);
  // Day one: every playbook of the agent is empty.
  const current: RulesByRole = new Map(dreamer.roles.map((role) => [role, []]));
  const prepareMs = since(t);
  log(
    `${dreamer.environment} N=${sessions.length}: localising ${failed.length} failed session(s)...`,
  );
  t = performance.now();
  const loc = await dreamer.localise(
    prepared,
    failed,
    sessions.filter(succeeded),
    current,
    { simulations: Math.floor(budget * LOCALISE_SHARE) },
    () => Promise.resolve(),
  );
  return { verdicts, failed, prepared, current, loc, prepareMs, localiseMs: since(t) };
}

/** The whole sandbox part of a dream, stage by stage, as DreamPipeline runs it. */
async function dream<P>(
  dreamer: EnvironmentDreamer<P>,
  sessions: readonly CollectedSession[],
  budget: number,
): Promise<{ row: DreamRow; prepared: P; drafts: RoleDraft[] }> {
  const label = `${dreamer.environment} N=${sessions.length}`;
  const started = performance.now();
  const { verdicts, failed, prepared, current, loc, prepareMs, localiseMs } = await review(
    dreamer,
    sessions,
    budget,
  );
  const left = Math.max(0, budget - loc.work.simulations);
  log(`${label}: reflecting (${left} simulations left)...`);
  let t = performance.now();
  const ref = await dreamer.reflect(
    prepared,
    current,
    { simulations: left },
    dreamer.defaultObjective,
  );
  const reflectMs = since(t);

  t = performance.now();
  const candidate: RulesByRole = new Map();
  let changes = 0;
  let behavioural = false;
  // Counters read the training split's sessions only, as the pipeline's curate does.
  const trained = dreamer.describeSplit(prepared).trainSessions;
  for (const role of dreamer.roles) {
    const uses = sessions
      .filter((s) => trained.has(s.session._id))
      .flatMap((s) => {
        const v = verdicts.get(s.session._id);
        return (v?.firedEntries ?? [])
          .filter((f) => f.role === role)
          .map((f) => ({
            entryId: f.entryId,
            sessionId: s.session._id,
            succeeded: !!v?.succeeded,
          }));
      });
    const r = curate(
      [],
      // The reflector's best alternative (the pipeline validates the runners-up only when it fails).
      ref.drafts.filter((d) => d.role === role && (d.alternative ?? 0) === 0).map((d) => d.draft),
      uses,
    );
    changes += r.changes.length;
    behavioural ||= r.changes.some((c) => c.kind !== 'record_outcome');
    const base = emptyPlaybook({
      playbookId: playbookIdFor(AGENT, role),
      agentId: AGENT,
      ...(role ? { role } : {}),
    });
    const version = r.deltas.length
      ? applyDeltas(base, r.deltas, { kind: 'dream', id: 'drm_bench' }, new Date())
      : null;
    candidate.set(role, version ? renderRules(version) : []);
  }
  const curateMs = since(t);

  t = performance.now();
  const v = behavioural ? await validateOn(dreamer, prepared, current, candidate) : null;
  const validateMs = since(t);
  const totalMs = since(started);
  const split = dreamer.describeSplit(prepared);
  const sims = [loc.work.simulations, ref.work.simulations, v?.work.simulations ?? 0];
  log(`${label}: ${totalMs} ms; ${ref.work.summary}`);
  return {
    prepared,
    drafts: ref.drafts,
    row: {
      environment: dreamer.environment,
      sessions: sessions.length,
      budget,
      failed: failed.length,
      trainingTasks: trainingTasks(prepared).length,
      trainingSessions: split.train,
      heldOutSessions: split.reviewedHeldOut,
      ms: {
        collect: null,
        prepare: prepareMs,
        localise: localiseMs,
        reflect: reflectMs,
        curate: curateMs,
        validate: validateMs,
      },
      totalMs,
      msPerSession: Number((totalMs / sessions.length).toFixed(2)),
      simulations: {
        localise: sims[0],
        reflect: sims[1],
        validate: sims[2],
        total: sims[0] + sims[1] + sims[2],
      },
      drafts: ref.drafts.length,
      changes,
      validation: v
        ? {
            metric: v.metrics.metric,
            before: Number(v.metrics.before.toFixed(3)),
            after: Number(v.metrics.after.toFixed(3)),
            promote: v.metrics.promote,
            reason: v.metrics.reason,
          }
        : null,
    },
  };
}

/** Distinct training tasks the dreamer learns from (scenarios or cases), for the tables. */
const trainingTasks = (p: unknown) => (p as { train: { id: string }[] }).train.map((x) => x.id);

const sessionView = (id: string, run: SessionView['run'], lastSeq: number): SessionView => ({
  _id: id,
  agentId: AGENT,
  status: 'completed',
  source: 'managed',
  run,
  iteration: 1,
  endedAt: new Date('2026-11-22T00:00:00Z'),
  lastSeq,
});

// ---------------------------------------------------------------------------------------------
// Sessions: lunar-lander.

/** The bundled scenarios, families interleaved, so 10 sessions already span every family. */
function scenarioOrder(): { scenario: Scenario; index: number }[] {
  const families = familyNames().map((f) => expandFamily(f));
  const longest = Math.max(...families.map((f) => f.length));
  const out: { scenario: Scenario; index: number }[] = [];
  for (let index = 0; index < longest; index++)
    for (const f of families) if (f[index]) out.push({ scenario: f[index], index });
  return out;
}

/**
 * N landings by the day-one builtin team. The team is deterministic, so each scenario is flown
 * once and its result reused by every session that flies it; each session gets its own copies
 * (as if read from MongoDB), so no per-object cache of the sandbox starts warm.
 */
async function landerSessions(
  order: readonly { scenario: Scenario; index: number }[],
  flown: Map<string, LandingResult>,
  n: number,
): Promise<CollectedSession[]> {
  const out: CollectedSession[] = [];
  for (let i = 0; i < n; i++) {
    const { scenario, index } = order[i % order.length];
    let result = flown.get(scenario.id);
    if (!result) {
      result = (await flyLanding(scenario, new BuiltinLunarTeam({}), { record: false })).result;
      flown.set(scenario.id, result);
    }
    const events = [
      { type: 'observation', actor: 'environment', step: 0, data: { scenario } },
      { type: 'observation', actor: 'environment', step: result.steps, data: { result } },
    ] as unknown as SessionEventBody[];
    out.push({
      session: sessionView(
        `ses_l${i}`,
        { environment: 'lunar-lander', task: { family: scenario.family, index } },
        events.length,
      ),
      outcome: null,
      events: structuredClone(events),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sessions: ci-log-triage.

/**
 * The grader's verdict under examples/outcomes/ci-log-triage.json's line criteria: finds-the-error
 * (recall >= 0.5, required) and no-noise (precision >= 0.5), pointing at the submitting step.
 */
function triageOutcome(sessionId: string, r: TriageResult, step: number): OutcomeRecord {
  const criteria = [
    { id: 'finds-the-error', metric: 'recall' as const, required: true, weight: 2 },
    { id: 'no-noise', metric: 'precision' as const, required: false, weight: 1 },
  ].map((c) => ({
    id: c.id,
    kind: 'label_match',
    weight: c.weight,
    required: c.required,
    gradable: true,
    passed: r[c.metric] >= 0.5,
    score: r[c.metric],
    explanation: `${c.metric} ${r[c.metric].toFixed(2)} against 0.5`,
    steps: [step],
  }));
  const failedCriteria = criteria.filter((c) => !c.passed).map((c) => c.id);
  return {
    _id: `out_${sessionId}`,
    tenantId: 'bench',
    agentId: AGENT,
    sessionId,
    iteration: 1,
    definitionVersion: 1,
    maxIterations: 1,
    result: failedCriteria.length ? 'needs_revision' : 'satisfied',
    score: criteria.reduce((s, c) => s + (c.passed ? c.weight : 0), 0) / 3,
    criteria,
    failedCriteria,
    summary: '',
    judgeUsage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    signals: [],
    regrade: false,
    gradedAt: new Date('2026-11-22T00:00:00Z'),
  };
}

const triageSession = (
  id: string,
  c: TriageCase,
  events: SessionEventBody[],
  result: TriageResult,
): CollectedSession => ({
  session: sessionView(id, { environment: 'ci-log-triage', task: { caseId: c.id } }, events.length),
  outcome: triageOutcome(id, result, Math.max(0, ...events.map((e) => e.step ?? 0))),
  events,
});

/** N builtin-triager sessions (deterministic per case: each case is run once and copied). */
function builtinTriageSessions(
  cases: readonly TriageCase[],
  ran: Map<string, ReturnType<typeof runBuiltinTriage>>,
  n: number,
): CollectedSession[] {
  return Array.from({ length: n }, (_, i) => {
    const c = cases[i % cases.length];
    let r = ran.get(c.id);
    if (!r) ran.set(c.id, (r = runBuiltinTriage(c, [])));
    return triageSession(`ses_t${i}`, c, structuredClone(r.events), r.result);
  });
}

// ---------------------------------------------------------------------------------------------
// Part 2: tokens.

const ERROR_LINE = /error|fail|exception|cannot|not found|undefined|fatal/i;

/** The last tool result of a request, parsed (the triage tools answer in JSON). */
function lastToolResult(body: { messages: { role: string; content: string | WireBlock[] }[] }) {
  const last = body.messages[body.messages.length - 1];
  const block = Array.isArray(last.content)
    ? last.content.find((b) => b.type === 'tool_result')
    : undefined;
  const text =
    typeof block?.content === 'string'
      ? block.content
      : (block?.content ?? []).map((b) => b.text ?? '').join('');
  try {
    return JSON.parse(text) as {
      totalLines?: number;
      lines?: { n: number; text: string }[];
    };
  } catch {
    return {};
  }
}

/**
 * A plausible triager: what is new in fail.log (diff_summary), a page around the first new line
 * that looks like an error (read_lines), then the error-looking lines of that page as the answer.
 */
const triagerScript: ReplyScript = ({ body }) => {
  const turn = body.messages.filter((m) => m.role === 'assistant').length;
  if (turn === 0)
    return toolUseReply([{ name: 'diff_summary', input: { maxLines: 100 } }], {
      text: 'Looking at what the failing log has that the passing one has not.',
    });
  const seen = lastToolResult(body);
  const lines = seen.lines ?? [];
  if (turn === 1) {
    const hit = lines.find((l) => ERROR_LINE.test(l.text)) ?? lines[0];
    const from = Math.max(1, (hit?.n ?? seen.totalLines ?? 40) - 15);
    return toolUseReply([{ name: 'read_lines', input: { log: 'fail', from, count: 40 } }], {
      text: 'Reading around the first line that looks like the error.',
    });
  }
  const hits = lines.filter((l) => ERROR_LINE.test(l.text)).map((l) => l.n);
  const ranges: { start: number; end: number }[] = [];
  for (const n of hits) {
    const prev = ranges[ranges.length - 1];
    if (prev && n <= prev.end + 1) prev.end = n;
    else ranges.push({ start: n, end: n });
  }
  if (!ranges.length) ranges.push({ start: lines[0]?.n ?? 1, end: lines[0]?.n ?? 1 });
  return toolUseReply([{ name: 'submit_answer', input: { ranges: ranges.slice(0, 5) } }], {
    text: 'These lines are the compiler/test error that failed the build.',
  });
};

/** The model reflector's model: rewrites every draft at about its own length. */
const reflectorScript: ReplyScript = ({ body }) => {
  const first = body.messages[0].content;
  const text = typeof first === 'string' ? first : first.map((b) => b.text ?? '').join('');
  const brief = JSON.parse(text) as {
    drafts: { index: number; title: string; guidance: string; rationale: string }[];
  };
  return toolUseReply([
    {
      name: 'write_entries',
      input: {
        entries: brief.drafts.map((d) => ({
          index: d.index,
          title: d.title,
          guidance: `In general: ${d.guidance}`,
          rationale: `Across the reviewed sessions: ${d.rationale}`,
        })),
      },
    },
  ]);
};

const totalTokens = (u: TokenUsage) =>
  u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
const weighted = (u: TokenUsage) =>
  u.inputTokens * PRICE.input +
  u.cacheWriteTokens * PRICE.cacheWrite +
  u.cacheReadTokens * PRICE.cacheRead +
  u.outputTokens * PRICE.output;

interface ModelSessions {
  sessions: CollectedSession[];
  usage: TokenUsage;
  requests: number;
  noAnswer: number;
  meanF1: number;
}

async function modelTriageSessions(cases: readonly TriageCase[], n: number) {
  const server = await MessagesServer.start({ respond: triagerScript });
  try {
    const provider = createProvider(
      { provider: 'anthropic', model: MODEL, maxTokens: 1024 },
      { anthropic: { baseURL: server.baseURL, apiKey: server.apiKey } },
    );
    const out: ModelSessions = {
      sessions: [],
      usage: zeroUsage(),
      requests: 0,
      noAnswer: 0,
      meanF1: 0,
    };
    for (let i = 0; i < n; i++) {
      const c = cases[i % cases.length];
      const events: SessionEventBody[] = [];
      const id = `ses_m${i}`;
      try {
        const result = await runModelTriage(c, {
          provider,
          model: MODEL,
          maxTurns: 8,
          playbookMarkdown: null,
          record: async (e) => void events.push(...e),
        });
        out.sessions.push(triageSession(id, c, events, result));
        out.meanF1 += result.f1 / n;
      } catch (err) {
        out.noAnswer++;
        log(`model session ${id} (${c.id}) gave no answer: ${(err as Error).message}`);
      }
      for (const e of events)
        if (e.type === 'model_call' && e.usage) out.usage = addUsage(out.usage, e.usage);
    }
    out.requests = server.requests.length;
    return out;
  } finally {
    await server.close();
  }
}

interface ReflectorCall {
  usage: TokenUsage;
  rewritten: number;
}

/** One model-reflector request on a fresh server (cold cache), then the same again (warm). */
async function reflectorTokens(
  environment: string,
  patterns: ReturnType<typeof findPatterns>,
  drafts: RoleDraft[],
): Promise<{ cold: ReflectorCall; warm: ReflectorCall }> {
  const server = await MessagesServer.start({ respond: reflectorScript });
  try {
    const reflector = new ModelReflector(
      createProvider(
        { provider: 'anthropic', model: MODEL, maxTokens: 2048 },
        { anthropic: { baseURL: server.baseURL, apiKey: server.apiKey } },
      ),
      { model: MODEL, maxTokens: 2048 },
    );
    const call = async (): Promise<ReflectorCall> => {
      const m = await reflector.reflect({ environment, instructions: '', patterns, drafts });
      return {
        rewritten: m.rewritten,
        usage: {
          inputTokens: m.usage.input_tokens ?? 0,
          outputTokens: m.usage.output_tokens ?? 0,
          cacheReadTokens: m.usage.cache_read_input_tokens ?? 0,
          cacheWriteTokens: m.usage.cache_creation_input_tokens ?? 0,
        },
      };
    };
    const cold = await call();
    return { cold, warm: await call() };
  } finally {
    await server.close();
  }
}

interface Batches {
  supported: boolean;
  status: number;
  message: string;
}

/** Whether the local server takes Message Batches (POST /v1/messages/batches). */
async function probeBatches(): Promise<Batches> {
  const server = await MessagesServer.start();
  try {
    const res = await fetch(`${server.baseURL}/v1/messages/batches`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': server.apiKey,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ requests: [] }),
    });
    const body = (await res.json()) as { error?: { message?: string } };
    return { supported: res.ok, status: res.status, message: body.error?.message ?? '' };
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Output: one table shape, printed padded on stdout and as Markdown in dream.md.

interface Table {
  head: string[];
  rows: (string | number)[][];
}

function asText({ head, rows }: Table): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) =>
    cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

const asMarkdown = ({ head, rows }: Table): string =>
  [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

const dreamTable = (rows: DreamRow[]): Table => ({
  head: [
    'environment',
    'N',
    'budget',
    'failed',
    'train tasks',
    'collect',
    'prepare',
    'localise',
    'reflect',
    'curate',
    'validate',
    'total ms',
    'ms/session',
    'sims (loc+refl+val)',
    'validation (held-out)',
  ],
  rows: rows.map((r) => [
    r.environment,
    r.sessions,
    r.budget,
    r.failed,
    r.trainingTasks,
    r.ms.collect ?? '-',
    r.ms.prepare,
    r.ms.localise,
    r.ms.reflect,
    r.ms.curate,
    r.ms.validate,
    r.totalMs,
    r.msPerSession,
    `${r.simulations.total} (${r.simulations.localise}+${r.simulations.reflect}+${r.simulations.validate})`,
    r.validation
      ? `${r.validation.metric} ${r.validation.before} -> ${r.validation.after}, ${r.validation.promote ? 'promote' : 'keep'}`
      : 'nothing to validate',
  ]),
});

interface TokenRow {
  sessions: number;
  sessionRequests: number;
  sessionUsage: TokenUsage;
  sessionTokens: number;
  noAnswer: number;
  meanF1: number;
  failed: number;
  patterns: number;
  drafts: number;
  draftsFrom: string;
  dream: { cold: ReflectorCall; warm: ReflectorCall };
  dreamTokens: number;
  ratioPercent: number;
  weightedRatioPercent: number;
}

const usageCells = (u: TokenUsage) =>
  `${u.inputTokens} / ${u.outputTokens} / ${u.cacheWriteTokens} / ${u.cacheReadTokens}`;

const tokenTable = (rows: TokenRow[]): Table => ({
  head: [
    'N',
    'session requests',
    'session tokens',
    'sessions in / out / cw / cr',
    'dream tokens',
    'dream in / out / cw / cr',
    'again within TTL',
    'dream / sessions',
    'price-weighted',
  ],
  rows: rows.map((r) => [
    r.sessions,
    r.sessionRequests,
    r.sessionTokens,
    usageCells(r.sessionUsage),
    r.dreamTokens,
    usageCells(r.dream.cold.usage),
    usageCells(r.dream.warm.usage),
    `${r.ratioPercent} %`,
    `${r.weightedRatioPercent} %`,
  ]),
});

interface Growth {
  environment: string;
  /** The budgets of the series' dreams ("3000", or "300/3000/6000" when it scales with N). */
  budget: string;
  ratios: { from: number; to: number; sessions: number; time: number; simulations: number }[];
  atMostLinear: boolean;
}

function growthOf(rows: DreamRow[]): Growth {
  const ratios = rows.slice(1).map((r, i) => ({
    from: rows[i].sessions,
    to: r.sessions,
    sessions: r.sessions / rows[i].sessions,
    time: Number((r.totalMs / rows[i].totalMs).toFixed(2)),
    simulations: Number((r.simulations.total / rows[i].simulations.total).toFixed(2)),
  }));
  return {
    environment: rows[0].environment,
    budget: [...new Set(rows.map((r) => r.budget))].join('/'),
    ratios,
    atMostLinear: ratios.every((g) => g.time <= g.sessions),
  };
}

const describeGrowth = (g: Growth) =>
  `${g.environment} (budget ${g.budget}): ${g.ratios
    .map(
      (r) =>
        `N ${r.from} -> ${r.to} (x${r.sessions}): time x${r.time}, simulations x${r.simulations}`,
    )
    .join('; ')}: ${g.atMostLinear ? 'at most linear' : 'MORE than linear'}`;

// ---------------------------------------------------------------------------------------------

function readArgs(argv: string[]) {
  const i = argv.indexOf('--budget');
  const budget = i >= 0 ? Number(argv[i + 1]) : DEFAULT_DREAMER_OPTIONS.maxSimulations;
  if (!Number.isInteger(budget) || budget < 1)
    throw new Error(`--budget wants a positive whole number of simulations, got ${argv[i + 1]}`);
  return { budget, scaled: argv.includes('--scaled') };
}

/**
 * The collect stage of `row`'s dream, timed against MongoDB: the sessions are stored first (not
 * timed) under an agent of their own, in a database that keeps every earlier size's sessions.
 */
async function collectInto<P>(
  row: DreamRow,
  store: CollectStore,
  dreamer: EnvironmentDreamer<P>,
  sessions: readonly CollectedSession[],
): Promise<void> {
  const agentId = `agt_${dreamer.environment}_${sessions.length}`;
  await store.store(agentId, sessions);
  storedSessions += sessions.length;
  const c = await store.collect(agentId, sessions.length, dreamer.eventFilter);
  if (c.sessions !== sessions.length)
    throw new Error(`collect read ${c.sessions} sessions, expected ${sessions.length}`);
  log(`${row.environment} N=${row.sessions}: collect ${c.ms} ms (${c.events} events)`);
  row.ms.collect = c.ms;
  row.collected = { sessions: c.sessions, events: c.events, storedSessionsInDb: storedSessions };
  row.totalMs += c.ms;
  row.msPerSession = Number((row.totalMs / row.sessions).toFixed(2));
}
let storedSessions = 0;

/** Part 1 for one environment: a dream over each size, sessions built by `sessionsOf`. */
async function series<P>(
  newDreamer: () => EnvironmentDreamer<P>,
  sessionsOf: (n: number) => Promise<CollectedSession[]>,
  budgetOf: (n: number) => number,
  setup: Record<string, number>,
  store: CollectStore | null,
  onDream: (run: { prepared: P; drafts: RoleDraft[] }) => void = () => undefined,
): Promise<DreamRow[]> {
  const rows: DreamRow[] = [];
  for (const n of SIZES) {
    const dreamer = newDreamer();
    const t = performance.now();
    const sessions = await sessionsOf(n);
    setup[`${dreamer.environment} N=${n}`] = since(t);
    const run = await dream(dreamer, sessions, budgetOf(n));
    onDream(run);
    if (store) await collectInto(run.row, store, dreamer, sessions);
    rows.push(run.row);
  }
  return rows;
}

/** Part 2 for one size: model sessions, then the dream's one model request over their drafts. */
async function tokensFor(
  n: number,
  cases: readonly TriageCase[],
  datasetsDir: string,
  budget: number,
  draftsByTraining: Map<string, RoleDraft[]>,
): Promise<TokenRow> {
  log(`tokens N=${n}: running ${n} model triage session(s) against the local Messages API...`);
  const ms = await modelTriageSessions(cases, n);
  const dreamer = new TriageDreamer(datasetsDir);
  const { failed, prepared, current, loc } = await review(dreamer, ms.sessions, budget);
  const patterns = findPatterns(loc.localisations);
  let drafts = draftsByTraining.get(trainingTasks(prepared).join(','));
  const draftsFrom = drafts
    ? 'the Part 1 dream on the same training cases (the search reads only the cases and the current rules)'
    : 'this dream';
  if (!drafts) {
    log(`tokens N=${n}: reflecting on the model sessions' training cases...`);
    drafts = (await dreamer.reflect(prepared, current, { simulations: budget })).drafts;
  }
  const dreamCall = await reflectorTokens(dreamer.environment, patterns, drafts);
  const sessionTokens = totalTokens(ms.usage);
  const dreamTokens = totalTokens(dreamCall.cold.usage);
  const percent = (x: number) => Number((100 * x).toFixed(2));
  return {
    sessions: n,
    sessionRequests: ms.requests,
    sessionUsage: ms.usage,
    sessionTokens,
    noAnswer: ms.noAnswer,
    meanF1: Number(ms.meanF1.toFixed(3)),
    failed: failed.length,
    patterns: patterns.length,
    drafts: drafts.length,
    draftsFrom,
    dream: dreamCall,
    dreamTokens,
    ratioPercent: percent(dreamTokens / sessionTokens),
    weightedRatioPercent: percent(weighted(dreamCall.cold.usage) / weighted(ms.usage)),
  };
}

function notesFor(budget: number, scaled: boolean, batches: Batches): string[] {
  return [
    "Part 1 times the dreamer stages that do sandbox work, in-process and as DreamPipeline runs them; the gate (gateCandidate on the held-out runs) is inside validate. Collect (MONGO_URL given): the review query and the sessions' events through the environment's filter (SessionReader.endedForReview, eventsOf), against a database that also holds every earlier size's sessions. Publish (one playbook write per role) and report are not run: they do no simulation and cost a few writes.",
    'Day one: every playbook is empty, so curate adds the drafts and validation compares no rules with the candidate on the held-out split.',
    `Budget: ${budget} simulations per dream (lander flights, triage rule-set evaluations), ${LOCALISE_SHARE * 100} % for localising as in DreamPipeline; validation is outside the budget. Triage's search ends on its own well below it.`,
    'Sessions repeat tasks round-robin (80 lander scenarios, 20 triage cases), so the training set stops growing once every task was seen; after that only per-session bookkeeping grows with N.',
    scaled
      ? `Scaled lander series: ${SCALED_PER_SESSION} x N simulations, capped at ${SCALED_CAP}.`
      : `A lander series with ${SCALED_PER_SESSION} x N simulations (capped at ${SCALED_CAP}) is not run by default: at about 10 ms a flight it adds about a minute (--scaled).`,
    "Part 2 session tokens: the model_call usage runModelTriage recorded (what the provider returned); the scripted model calls diff_summary, read_lines, then submit_answer. runModelTriage caches only a playbook block and day-one sessions have none, so their tokens are plain input and output. The grader's judge tokens are not counted.",
    'Part 2 dream tokens: the model reflector, one request per dream with tools and instructions cached. The dream column is a dream on its own (dreams run further apart than the 5-minute cache, so it writes the cache); "again within TTL" is the same request repeated while the cache lives. The local server caches any prefix; the real API caches none under 1,024 tokens, so there both bill as plain input. Price-weighted: input 1, cache write 1.25, cache read 0.1, output 5.',
    'The local server counts about four characters a token; real tokenisers differ, but both sides of the ratio are counted the same way.',
    batches.supported
      ? 'The local server accepts Message Batches.'
      : `Batched requests not measured: the local server answers POST /v1/messages/batches with ${batches.status} (${batches.message}) and the provider has no batch call. A dream sends one model request, so batching could only halve its price, not its tokens.`,
  ];
}

async function main() {
  const args = readArgs(process.argv.slice(2));
  const started = performance.now();
  // Session building (flying the day-one team, running the builtin triager), not dream cost.
  const setup: Record<string, number> = {};

  // Collect runs against MongoDB when MONGO_URL is given (e.g. the local stack's); else it is '-'.
  const store = process.env.MONGO_URL ? await CollectStore.open(process.env.MONGO_URL) : null;
  try {
    await runAll(args, started, setup, store);
  } finally {
    await store?.close();
  }
}

async function runAll(
  args: { budget: number; scaled: boolean },
  started: number,
  setup: Record<string, number>,
  store: CollectStore | null,
) {
  const datasetsDir = resolve(process.env.DATASETS_DIR ?? bundledDatasetsDir());
  const order = scenarioOrder();
  const flown = new Map<string, LandingResult>();
  const lander = await series(
    () => new LanderDreamer(),
    (n) => landerSessions(order, flown, n),
    () => args.budget,
    setup,
    store,
  );
  const scaled = args.scaled
    ? await series(
        () => new LanderDreamer(),
        (n) => landerSessions(order, flown, n),
        (n) => Math.min(SCALED_CAP, SCALED_PER_SESSION * n),
        {},
        null,
      )
    : [];

  const cases = await loadDataset(join(datasetsDir, 'ci-breakages'));
  const ran = new Map<string, ReturnType<typeof runBuiltinTriage>>();
  // The contrastive search reads only the training cases and the current rules: remembered by
  // training set, so Part 2 does not repeat a search Part 1 already ran on the same cases.
  const draftsByTraining = new Map<string, RoleDraft[]>();
  const triage = await series(
    () => new TriageDreamer(datasetsDir),
    async (n) => builtinTriageSessions(cases, ran, n),
    () => args.budget,
    setup,
    store,
    (run) => draftsByTraining.set(trainingTasks(run.prepared).join(','), run.drafts),
  );

  const tokens: TokenRow[] = [];
  for (const n of TOKEN_SIZES)
    tokens.push(await tokensFor(n, cases, datasetsDir, args.budget, draftsByTraining));
  const batches = await probeBatches();

  const dreams = [...lander, ...triage];
  const growth = [lander, triage, ...(scaled.length ? [scaled] : [])].map(growthOf);
  const notes = notesFor(args.budget, args.scaled, batches);
  const seconds = Number(((performance.now() - started) / 1_000).toFixed(1));
  const result = {
    benchmark: 'dream',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    seconds,
    budget: args.budget,
    setupMs: setup,
    dreams,
    scaled,
    growth,
    tokens,
    batches,
    notes,
  };

  const dreamTables = [dreamTable(dreams), ...(scaled.length ? [dreamTable(scaled)] : [])];
  process.stdout.write(
    [
      '',
      `dream bench: node ${result.node}, ${result.machine.cpus} CPUs, budget ${args.budget} simulations, ${seconds} s`,
      '',
      'cost against sessions reviewed (wall ms per stage):',
      ...dreamTables.flatMap((t) => [asText(t), '']),
      ...growth.map(describeGrowth),
      '',
      'tokens, ci-log-triage (anthropic provider, local Messages API; cw/cr: cache write/read):',
      asText(tokenTable(tokens)),
      '',
      ...notes.map((n) => `- ${n}`),
      '',
    ].join('\n'),
  );
  const md = [
    '# Dream cost',
    '',
    `${result.date}, node ${result.node}, ${result.machine.cpus} x ${result.machine.cpu}; the run took ${seconds} s. \`npm run bench:dream\`.`,
    '',
    '## Cost against sessions reviewed (wall ms per stage, in-process)',
    '',
    ...dreamTables.flatMap((t) => [asMarkdown(t), '']),
    ...growth.map((g) => `- ${describeGrowth(g)}`),
    '',
    '## Tokens: a dream against the sessions it reviews (ci-log-triage, anthropic provider, local Messages API)',
    '',
    asMarkdown(tokenTable(tokens)),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ];
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dream.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, 'dream.md'), md.join('\n'));
  process.stdout.write('written to bench/results/dream.json and dream.md\n');
}

main().catch((err: Error) => {
  process.stderr.write(`bench:dream: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});

/** The pipeline's validation: both rule sets on the validation split, graded by the default rubric. */
async function validateOn<P>(
  dreamer: EnvironmentDreamer<P>,
  prepared: P,
  current: RulesByRole,
  candidate: RulesByRole,
) {
  const grade = async (rules: RulesByRole) => {
    const r = await dreamer.evaluate(prepared, 'validation', rules);
    const graded = await gradeRuns(dreamer.defaultObjective, dreamer.environment, r.runs);
    return { graded, simulations: r.work.simulations };
  };
  const before = await grade(current);
  const after = await grade(candidate);
  const metrics = gateCandidate(before.graded, after.graded, { ...DEFAULT_GATE, ...dreamer.gate });
  return { metrics, work: { simulations: before.simulations + after.simulations } };
}
