/**
 * The external agent's learning story (issue 15), through the REST API only: the offline
 * support-desk team of examples/support-desk (a coordinator with a billing and an account
 * specialist, no model) works a day of tickets the way a user's own agent does (start a session,
 * read its role playbooks, post events, end it); the outcome-grader grades every ticket against the
 * agent's outcome definition; a dream over the day's train and validation tickets learns playbook
 * entries without a simulator; the next day the team obeys them. The test tickets are worked
 * every day to measure, and never shown to a dream. Run by scripts/demo/learning-cycles.ts.
 */
import { ReverieApiError, type ReverieClient } from '@reverie/client';
import { describeRule, type Rule } from '@reverie/playbooks-domain';
import {
  OfflineSupportTeam,
  SUPPORT_DESK_RUBRIC,
  supportTasks,
  type SupportTask,
} from '@reverie/support-desk';
// The runnable example agent's pieces, as a user's agent uses them.
import { rulesByRole, type TicketResult } from '../../examples/support-desk/offline-agent';
import { ReverieRest } from '../../examples/support-desk/reverie-rest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ExternalStoryOptions {
  baseUrl: string;
  apiKey: string;
  /** Dreams (days = cycles + 1). */
  cycles: number;
  /** Tickets of each family a day draws from (split 60/20/20 train/validation/test by id). */
  perFamily?: number;
  /** Tickets worked at once. */
  concurrency?: number;
  /** Extra shifts of train + validation tickets a day works at most while a canary trial runs. */
  maxTrialShifts?: number;
  say?: (line?: string) => void;
}

export interface ExternalStoryDay {
  day: number;
  satisfied: number;
  tests: number;
  /** Playbook version of each role the day's sessions ran with. */
  versions: Record<string, number>;
}

export interface ExternalStoryResult {
  agentId: string;
  days: ExternalStoryDay[];
  dreams: { id: string; status: string; report: Json }[];
}

const ROLES = ['coordinator', 'billing', 'account'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (n: number, d: number) => (d ? `${Math.round((100 * n) / d)} %` : '-');

/** `f` over `items`, at most `n` at once, results in order. */
async function pool<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await f(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * One ticket as one session, like the example's `runOfflineTicket`: start, post the events, end
 * at once, as a client does. The grader waits until the ingest has stored the end (and so every
 * event sent before it) before it grades.
 */
async function runTicket(
  rest: ReverieRest,
  agentId: string,
  task: SupportTask,
): Promise<TicketResult> {
  const session = await rest.startSession(agentId, `ticket ${task.id}`, { task_id: task.id });
  const run = new OfflineSupportTeam(task, rulesByRole(session.playbooks)).run();
  await rest.postEvents(session.id, run.events);
  await rest.endSession(session.id, run.status, run.reason);
  return {
    sessionId: session.id,
    status: run.status,
    versions: Object.fromEntries(session.playbooks.map((p) => [p.role ?? 'agent', p.version])),
  };
}

/** The grader's verdict of a session, once it has one (404 until then). */
async function verdictOf(client: ReverieClient, sessionId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.sessions.outcome(sessionId);
    } catch (err) {
      if (!(err instanceof ReverieApiError) || err.status !== 404) throw err;
      if (Date.now() > deadline)
        throw new Error(
          `session ${sessionId} was not graded within ${timeoutMs / 1000} s (is the outcome-grader running?)`,
        );
      await sleep(250);
    }
  }
}

/** A learned entry as one line: its guidance, then its condition and action. */
function entryLines(e: Json): string[] {
  const lines = [`- ${e.guidance}`];
  if (e.rule) {
    try {
      lines.push(`  condition: ${describeRule(e.rule as Rule)}`);
    } catch {
      lines.push(`  condition: ${JSON.stringify(e.rule)}`);
    }
  }
  return lines;
}

/** The agent's canary trials (GET /v1/agents/:id/trials), newest first; [] where there are none. */
async function trialsOf(client: ReverieClient, agentId: string): Promise<Json[]> {
  try {
    const page = await client.http.request<{ data: Json[] }>(
      'GET',
      `/v1/agents/${encodeURIComponent(agentId)}/trials`,
      { query: { limit: 20 } },
    );
    return page.data ?? [];
  } catch (err) {
    // A gateway without canary trials: the offline gate alone decides.
    if (err instanceof ReverieApiError && err.status === 404) return [];
    throw err;
  }
}

/** A trial in one line: versions, arms, and its decision once made. */
function trialLine(t: Json): string {
  const versions = (t.playbooks as Json[])
    .map((p) => `${p.role ?? 'agent'} v${p.candidate_version} vs v${p.control_version}`)
    .join(', ');
  const arm = (a: Json) =>
    `${a.succeeded}/${a.graded} graded succeeded${a.sessions > a.graded ? ` (${a.sessions} served)` : ''}`;
  const decision = t.decision ? `: ${t.decision.decision} (${t.decision.reason})` : `: ${t.status}`;
  return `trial ${t.id} (${versions}); candidate ${arm(t.arms.candidate)}, control ${arm(t.arms.control)}${decision}`;
}

export async function externalStory(
  client: ReverieClient,
  options: ExternalStoryOptions,
): Promise<ExternalStoryResult> {
  const say = options.say ?? ((line = '') => process.stdout.write(`${line}\n`));
  const per = options.perFamily ?? 30;
  const concurrency = options.concurrency ?? 4;
  const maxShifts = options.maxTrialShifts ?? 2;
  /** Trials whose end was printed. */
  const reported = new Set<string>();
  const rest = new ReverieRest(options.baseUrl, options.apiKey);
  say(
    '== The support-desk team (an external agent over REST): a day of tickets, a dream, the next day… ==',
  );
  const agent = await client.agents.create({
    name: `support-desk-${Date.now().toString(36)}`,
    roles: ROLES.map((name) => ({ name })),
    model: { provider: 'builtin' },
    dreaming: { publish: 'apply' },
  } as Parameters<ReverieClient['agents']['create']>[0]);
  const definition = await client.outcomes.define(agent.id, SUPPORT_DESK_RUBRIC);
  say(`  outcome definition v${definition.version}: ${SUPPORT_DESK_RUBRIC.description}`);
  const learn: SupportTask[] = [...supportTasks(per, 'train'), ...supportTasks(per, 'validation')];
  const test = supportTasks(per, 'test');
  say(
    `agent ${agent.id}; ${learn.length} train + validation tickets a day (what dreams review), ${test.length} test tickets (measured, never reviewed)`,
  );

  const days: ExternalStoryDay[] = [];
  const dreams: ExternalStoryResult['dreams'] = [];
  const work = (tasks: readonly SupportTask[]) =>
    pool(tasks, concurrency, (task) => runTicket(rest, agent.id, task));
  const graded = (rs: readonly { sessionId: string }[]) =>
    pool(rs, concurrency, (r) => verdictOf(client, r.sessionId));
  /** Works the tickets and waits for the grader's verdicts; the sessions, in ticket order. */
  const runTickets = async (tasks: readonly SupportTask[]) => {
    const rs = await work(tasks);
    return { rs, verdicts: await graded(rs) };
  };
  for (let day = 1; day <= options.cycles + 1; day++) {
    const t0 = Date.now();
    // The day's train and validation tickets. While a canary trial runs, they are its traffic
    // (half of the sessions get the candidate version): work more of them until it is decided,
    // so the test tickets and the next dream see one playbook.
    const learned = day <= options.cycles ? (await runTickets(learn)).rs : [];
    for (let shift = 1; ; shift++) {
      const running = (await trialsOf(client, agent.id)).filter((t) => t.status === 'running');
      if (!running.length) break;
      for (const t of running) say(`    ${trialLine(t)}`);
      if (shift > maxShifts) {
        say(`    still running after ${maxShifts} more shift(s) of tickets; measuring anyway`);
        break;
      }
      say(`    a shift of ${learn.length} more train + validation tickets for the trial…`);
      learned.push(...(await runTickets(learn)).rs);
    }
    for (const t of (await trialsOf(client, agent.id)).filter(
      (t) => t.status !== 'running' && !reported.has(t.id),
    )) {
      reported.add(t.id);
      say(`    ${trialLine(t)}`);
    }
    const { rs: tested, verdicts } = await runTickets(test);
    const satisfied = verdicts.filter((v) => v.result === 'satisfied').length;
    const versions: Record<string, number> = {};
    for (const r of tested)
      for (const [role, v] of Object.entries(r.versions))
        versions[role] = Math.max(versions[role] ?? 0, v);
    days.push({ day, satisfied, tests: test.length, versions });
    const vtext = ROLES.map((r) => `${r} v${versions[r] ?? 0}`).join(', ');
    say(
      `  day ${day}: test tickets satisfied ${satisfied}/${test.length} (${pct(satisfied, test.length)}) with playbooks ${vtext}; ${learned.length} train + validation sessions  [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
    );
    if (day > options.cycles) break;

    // The dream reviews the day's train and validation sessions (graded by now), never the test.
    const started = Date.now();
    const created = await client.dreams.create({
      agent_id: agent.id,
      inputs: [{ type: 'sessions', session_ids: learned.map((r) => r.sessionId) }],
    });
    const d = await client.dreams.waitFor(created.id, { intervalMs: 500, timeoutMs: 300_000 });
    if (d.status !== 'completed')
      throw new Error(`the dream ended ${d.status}: ${d.error?.message ?? 'no reason given'}`);
    const { report } = await client.dreams.report(d.id);
    dreams.push({ id: d.id, status: d.status, report });
    say(
      `    dream ${d.id} ${d.status} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${d.sessions_reviewed} sessions reviewed, ${report.failedSessions ?? '?'} failed`,
    );
    const localised = (report.localisations as Json[]).filter((l) => l.step !== null);
    const methods = new Map<string, number>();
    for (const l of localised) methods.set(l.method, (methods.get(l.method) ?? 0) + 1);
    say(
      `    localised ${localised.length} of ${report.localisations.length} failed train session(s) (${[...methods].map(([m, n]) => `${n} by ${m}`).join(', ') || 'none'})`,
    );
    for (const l of localised.slice(0, 2))
      say(
        `      e.g. ${l.sessionId} step ${l.step} (${l.role}): ${String(l.detail).slice(0, 110)}`,
      );
    const entries = new Map<string, Json[]>();
    for (const o of d.outputs) {
      const v = await client.playbooks.version(agent.id, o.version, o.role ? { role: o.role } : {});
      entries.set(o.role ?? 'agent', v.entries ?? []);
    }
    const changes = (report.changes as Json[]).filter((c) => c.kind !== 'record_outcome');
    if (!changes.length) say('    learned: nothing new');
    for (const c of changes) {
      say(`    learned (${c.role ?? 'agent'}, ${c.kind}): ${c.title}`);
      const entry = (entries.get(c.role ?? 'agent') ?? []).find((e) => e.title === c.title);
      if (c.kind !== 'retire')
        for (const line of entry ? entryLines(entry) : []) say(`      ${line}`);
    }
    const trial = (await trialsOf(client, agent.id)).find((t) => t.dream_id === d.id);
    if (trial)
      say(
        `    canary trial ${trial.id} started: ${trial.share * 100} % of new sessions get ${trial.playbooks.map((p: Json) => `${p.role ?? 'agent'} v${p.candidate_version}`).join(', ')}`,
      );
    else if (d.outputs.length)
      for (const o of d.outputs)
        say(
          `    ${o.role ?? 'agent'} playbook v${o.version} ${o.status === 'active' ? 'promoted' : o.status} by the offline gate (${report.validation?.reason ?? 'held-out check'})`,
        );
    else say(`    no new version: ${report.validation?.reason ?? 'nothing learned'}`);
  }
  const first = days[0];
  const last = days[days.length - 1];
  say('  test tickets satisfied, by day (graded by the outcome definition):');
  for (const x of days)
    say(`    day ${x.day}: ${x.satisfied}/${x.tests} (${pct(x.satisfied, x.tests)})`);
  say(
    `  day 1 -> day ${last.day}: ${pct(first.satisfied, first.tests)} -> ${pct(last.satisfied, last.tests)}${first.satisfied ? ` (x${(last.satisfied / first.satisfied).toFixed(1)})` : ''}`,
  );
  return { agentId: agent.id, days, dreams };
}
