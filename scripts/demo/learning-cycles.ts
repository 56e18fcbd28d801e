/**
 * The learning stories of `npm start` (scripts/demo.sh): days of work through the running stack,
 * each followed by a dream, for the lunar team, the CI-log triage agent and an external agent
 * team (the support desk of examples/support-desk, reporting over REST; scripts/demo/external-story.ts).
 *
 *   REVERIE_API_URL=http://127.0.0.1:3000 REVERIE_API_KEY=rvk_... \
 *     node -r @swc-node/register scripts/demo/learning-cycles.ts [lunar|triage|external|both|all]
 *
 * `all` (the default) runs the three; `both` is lunar and triage.
 *
 * A day lands every scenario of the bundled families (or triages every log of the dataset) as
 * managed sessions, then a dream reviews that day's sessions and applies what it validated.
 * Each agent gets the outcome definition of examples/outcomes/ (PUT /v1/agents/:id/outcome): the
 * grader and every dream score against it. The curve printed last is the test split of each
 * dream's report: scenarios and logs no dream learns from, chooses with or gates on.
 * REVERIE_DEMO_CYCLES sets the number of dreams (default 3, so four days).
 */
import { ReverieError, type ReverieClient } from '@reverie/client';
import { DEFAULT_SPLIT, loadDataset, splitCases } from '@reverie/ci-log-triage';
import { splitScenarios } from '@reverie/dreaming-lander';
import { expandFamily, familyNames, stressFamilyNames } from '@reverie/lunar-lander';
import { bundledDatasetsDir } from '@reverie/service-kit';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, cliClient } from '../../tools/cli/src/api.client';
import { externalStory } from './external-story';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const API_URL = (process.env.REVERIE_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const API_KEY = process.env.REVERIE_API_KEY;
/** The typed client, built when first used (so a missing key is a one-line error). */
const api = (): ReverieClient =>
  cliClient(API_URL, API_KEY, (line) => process.stderr.write(`  note: ${line}\n`));
const CYCLES = Number(process.env.REVERIE_DEMO_CYCLES ?? 3);
const FAMILIES = (
  process.env.REVERIE_DEMO_FAMILIES ?? [...familyNames(), ...stressFamilyNames()].join(',')
).split(',');
const DATASETS = resolve(process.env.DATASETS_DIR ?? bundledDatasetsDir());
const LUNAR_ROLES = ['detector', 'commander', 'navigator'] as const;

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (x: number | null) => (x === null ? '  -  ' : `${(x * 100).toFixed(0)} %`.padStart(5));
const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const num = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));
/** A count as a count (`3`), any other number with `d` decimals. */
const value = (x: number | null, d = 3) =>
  x !== null && Number.isInteger(x) ? String(x) : num(x, d);

/** Gives the agent the demo's outcome definition for its environment (examples/outcomes/). */
async function defineOutcome(agentId: string, file: string) {
  const definition = JSON.parse(
    readFileSync(resolve(__dirname, '../../examples/outcomes', file), 'utf8'),
  );
  const r = await api().outcomes.define(agentId, definition);
  say(`  outcome definition v${r.version}: ${definition.description}`);
}

/** The test split a dream's report measured: after the dream (or before, if nothing passed). */
function testRow(label: string, split: Json | null): string[] {
  if (!split) return [`${label}: no test split`];
  const medians = Object.entries(split.medians?.satisfied ?? {})
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `median ${k} ${num(v as number)}`)
    .join(', ');
  const rows = [
    `${label}: test split ${split.satisfied}/${split.tasks} satisfied (${pct(split.satisfiedRate)}), mean score ${num(split.meanScore, 3)}${medians ? `; satisfied: ${medians}` : ''}`,
  ];
  if ((split.families ?? []).length > 1)
    for (const f of split.families as Json[]) {
      const m = Object.entries(f.medians?.all ?? {})
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `median ${k} ${num(v as number)}`)
        .join(', ');
      rows.push(
        `    ${f.family || '-'}: ${f.satisfied}/${f.tasks} (${pct(f.satisfiedRate)})${m ? `; all: ${m}` : ''}`,
      );
    }
  return rows;
}

/** The test-split curve from the dreams' reports: before the first dream, then after each. */
function testCurve(reports: Json[]): string[] {
  if (!reports.length) return [];
  return [
    ...testRow('before any dream', reports[0].test?.before ?? null),
    ...reports.flatMap((r, i) =>
      testRow(`after dream ${i + 1}`, r.test ? (r.test.after ?? r.test.before) : null),
    ),
  ];
}

/** Runs one batch and waits for every session of it to end. */
async function runBatch(
  agentId: string,
  title: string,
  run: { environment: string },
  tasks: Json[],
) {
  const batch = await api().batches.create({ agentId, title, run, tasks });
  for (;;) {
    const state = await api().batches.get(batch.id, { limit: 1000 });
    if (state.done) return state.sessions as Json[];
    await sleep(1000);
  }
}

/**
 * The result a session's last attempt recorded (its result observation, for the bundled
 * environments). The session is read again: a revision the grader asked for after the batch
 * ended adds events past the count the batch listed.
 */
async function lastResult(session: Json): Promise<Json | null> {
  const { eventCount } = await api().sessions.get(session.id);
  const page = await api().sessions.events(session.id, {
    after_seq: Math.max(0, eventCount - 3),
    limit: 3,
  });
  for (const e of [...(page.data as Json[])].reverse()) if (e.data?.result) return e.data.result;
  return null;
}

/**
 * Waits until the grader's verdict on every session is final (at most 2 minutes): graded, and not
 * `needs_revision` (the orchestrator flies such a session again and the grader grades that
 * attempt). A dream reviews only graded sessions of an agent with an outcome definition and
 * leaves the rest for a later dream, so dreaming before the grader is done would learn from part
 * of the day; and a day's numbers read before it could miss a session whose revision is in flight.
 */
async function gradesSettled(agentId: string, sessions: readonly Json[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const latest = new Map<string, { iteration: number; result: string }>();
    for await (const o of api().outcomes.listAll({ agentId }))
      if (o.iteration >= (latest.get(o.sessionId)?.iteration ?? 0)) latest.set(o.sessionId, o);
    const left = sessions.filter(
      (s) => (latest.get(s.id)?.result ?? 'needs_revision') === 'needs_revision',
    );
    if (!left.length) return;
    if (Date.now() > deadline) {
      say(
        `    ${left.length} session(s) still without a final grade after 2 minutes: the day counts the attempt each has stored, and the dream may leave them for later`,
      );
      return;
    }
    await sleep(1000);
  }
}

/** Asks for a dream over the sessions since the agent's last one and follows it to its end. */
async function dream(agentId: string): Promise<Json> {
  const started = Date.now();
  const created = await api().dreams.create({ agent_id: agentId });
  let last = '';
  const d = await api().dreams.waitFor(created.id, {
    onProgress: (p) => {
      const line = p.stage
        ? `${p.stage}${p.progress?.total ? ` ${p.progress.completed}/${p.progress.total}` : ''}`
        : p.status;
      if (line !== last) process.stdout.write(`    dream ${p.id}: ${line}\n`);
      last = line;
    },
  });
  say(
    `    dream ${d.id} ${d.status} in ${((Date.now() - started) / 1000).toFixed(0)} s, ${d.simulations} simulations, ${d.usage.input_tokens + d.usage.output_tokens} tokens`,
  );
  if (d.status !== 'completed')
    throw new CliError(`the dream ended ${d.status}: ${d.error?.message ?? ''}`);
  const { report } = await api().dreams.report(d.id);
  if (report.objective)
    say(
      `    objective: ${report.objective.source === 'agent' ? `the agent's outcome definition v${report.objective.version}` : 'the default rubric'}`,
    );
  for (const p of report.patterns.slice(0, 4)) say(`    pattern: ${p.description}`);
  for (const c of report.changes.filter((c: Json) => c.kind !== 'record_outcome'))
    say(`    change: ${c.kind} ${c.role ?? ''} "${c.title}"`);
  const v = report.validation;
  if (v)
    say(
      `    ${v.split ?? 'validation'} split (${v.heldOut} tasks): ${v.metric} ${value(v.before)} -> ${value(v.after)}; ${v.promote ? 'promoted' : 'not promoted'}: ${v.reason}`,
    );
  for (const n of report.notes) say(`    note: ${n}`);
  say(`    report: GET ${API_URL}/v1/dreams/${d.id}/report?format=markdown`);
  return report;
}

async function printPlaybooks(agentId: string, roles: readonly (string | null)[]) {
  for (const role of roles) {
    const pb = await api().playbooks.active(agentId, role ? { role } : {});
    const active = (pb.entries ?? []).filter((e: Json) => e.status === 'active');
    if (!active.length) continue;
    say(`    ${role ?? 'agent'} playbook v${pb.version}:`);
    for (const e of active as Json[]) {
      say(`      - ${e.guidance}`);
      if (e.rule) say(`        rule: ${JSON.stringify(e.rule)}`);
    }
    // What its rules were learned from and chosen on: `reverie eval` reads it from this file.
    for (const l of (pb.learnedFrom ?? []) as Json[])
      say(
        `      learned from ${l.train.length} training and chose on ${l.validation.length} validation task(s) of ${l.environment} (${l.input}); the test split is in neither`,
      );
  }
}

async function lunar() {
  say('== The lunar team: a day of landings, a dream, the next day… ==');
  const agent = await api().agents.create({
    name: `lunar-learner-${Date.now().toString(36)}`,
    roles: LUNAR_ROLES.map((name) => ({ name })),
    dreaming: { publish: 'apply' },
  });
  await defineOutcome(agent.id, 'lunar-landing.json');
  const reports: Json[] = [];
  const scenarios = FAMILIES.flatMap((f) => expandFamily(f));
  const heldOut = new Set(splitScenarios(scenarios).heldOut.map((s) => s.id));
  say(
    `agent ${agent.id}; ${scenarios.length} scenarios a day (${FAMILIES.join(', ')}), ${heldOut.size} of them held out`,
  );
  const rows: string[] = [];
  for (let day = 1; day <= CYCLES + 1; day++) {
    const t0 = Date.now();
    const sessions: Json[] = [];
    for (const family of FAMILIES)
      sessions.push(
        ...(await runBatch(
          agent.id,
          `day ${day} ${family}`,
          { environment: 'lunar-lander' },
          expandFamily(family).map((_, index) => ({ family, index })),
        )),
      );
    // A day counts each session's last attempt: revisions first, then the results.
    await gradesSettled(agent.id, sessions);
    const results = (await Promise.all(sessions.map(lastResult))).filter((r): r is Json => !!r);
    const held = results.filter((r) => heldOut.has(r.scenarioId));
    const safe = held.filter((r) => r.safe);
    const fuel = median(safe.filter((r) => r.fuelLimit).map((r) => r.fuelUsed / r.fuelLimit));
    const vz = median(safe.map((r) => Math.abs(r.touchdown.verticalSpeed)));
    const row = `day ${day}: held-out (validation + test) safe ${safe.length}/${held.length} (${pct(held.length ? safe.length / held.length : null)}), median touchdown ${num(vz)} m/s, median fuel ${num(fuel)}x the vertical limit; all scenarios safe ${results.filter((r) => r.safe).length}/${results.length}`;
    rows.push(row);
    say(`  ${row}  [${((Date.now() - t0) / 1000).toFixed(0)} s]`);
    if (day <= CYCLES) {
      reports.push(await dream(agent.id));
      await printPlaybooks(agent.id, LUNAR_ROLES);
    }
  }
  say('  days (held-out scenarios: validation + test):');
  for (const r of rows) say(`    ${r}`);
  say('  learning curve (test split of each dream, graded by the outcome definition):');
  for (const r of testCurve(reports)) say(`    ${r}`);
}

async function triage() {
  say('== The CI-log triage agent: a day of logs, a dream, the next day… ==');
  const cases = await loadDataset(resolve(DATASETS, 'ci-breakages'));
  const heldOut = new Set(splitCases(cases, DEFAULT_SPLIT).heldOut.map((c) => c.id));
  const agent = await api().agents.create({
    name: `triage-learner-${Date.now().toString(36)}`,
    dreaming: { publish: 'apply' },
  });
  await defineOutcome(agent.id, 'ci-log-triage.json');
  const reports: Json[] = [];
  say(`agent ${agent.id}; ${cases.length} logs a day, ${heldOut.size} of them held out`);
  const rows: string[] = [];
  for (let day = 1; day <= CYCLES + 1; day++) {
    const sessions = await runBatch(
      agent.id,
      `day ${day}`,
      { environment: 'ci-log-triage' },
      cases.map((c) => ({ caseId: c.id })),
    );
    await gradesSettled(agent.id, sessions);
    const scored = await Promise.all(
      sessions.map(async (s) => ({
        caseId: s.task?.caseId ?? s.run?.task?.caseId,
        result: await lastResult(s),
      })),
    );
    const f1 = (ids: (c: string) => boolean) => {
      const xs = scored
        .filter((s) => ids(s.caseId) && typeof s.result?.f1 === 'number')
        .map((s) => s.result!.f1 as number);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    };
    const row = `day ${day}: held-out (validation + test) mean F1 ${num(
      f1((c) => heldOut.has(c)),
      3,
    )} (training logs ${num(
      f1((c) => !heldOut.has(c)),
      3,
    )})`;
    rows.push(row);
    say(`  ${row}`);
    if (day <= CYCLES) {
      reports.push(await dream(agent.id));
      await printPlaybooks(agent.id, [null]);
    }
  }
  say('  days (held-out logs: validation + test):');
  for (const r of rows) say(`    ${r}`);
  say('  learning curve (test split of each dream, graded by the outcome definition):');
  for (const r of testCurve(reports)) say(`    ${r}`);
}

/** The support-desk team, an external agent reporting over REST (scripts/demo/external-story.ts). */
async function external() {
  await externalStory(api(), { baseUrl: API_URL, apiKey: API_KEY ?? '', cycles: CYCLES, say });
}

const STORIES: Record<string, (() => Promise<void>)[]> = {
  lunar: [lunar],
  triage: [triage],
  external: [external],
  both: [lunar, triage],
  all: [lunar, triage, external],
};

async function main() {
  const which = process.argv[2] ?? 'all';
  const stories = STORIES[which];
  if (!stories)
    throw new CliError(
      `unknown story "${which}": one of ${Object.keys(STORIES).join(', ')} (REVERIE_DEMO_STORY)`,
      2,
    );
  for (const story of stories) await story();
}

main().catch((err: Error) => {
  const known = err instanceof CliError || err instanceof ReverieError;
  process.stderr.write(`${known ? err.message : err.stack}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
});
