/**
 * `npm run eval:grades`: the day-one grades of the builtin teams under the example rubrics in
 * `examples/outcomes/` — every scenario of every bundled lunar family, and every CI log of the
 * dataset — graded exactly as the outcome-grader does (same `gradeSession`), offline: the example
 * triage rubric's model-judged criterion is therefore reported not gradable. In-process and
 * deterministic. Writes bench/results/day-one-grades-<date>.json and -latest.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, runBuiltinTriage } from '@reverie/ci-log-triage';
import type { SessionEventBody } from '@reverie/contracts';
import { BuiltinLunarTeam, expandFamily, familyNames, flyLanding } from '@reverie/lunar-lander';
import { gradeSession, parseOutcomeDefinition, type Grade } from '@reverie/outcomes-domain';
import { bundledDatasetsDir } from '@reverie/service-kit';
import { machineInfo, writeResult } from './support/report';

const ROOT = join(__dirname, '..');
const rubric = (name: string) =>
  parseOutcomeDefinition(JSON.parse(readFileSync(join(ROOT, 'examples/outcomes', name), 'utf8')));

interface Tally {
  sessions: number;
  results: Record<string, number>;
  meanScore: number;
  /** How often each criterion failed. */
  failedCriteria: Record<string, number>;
}

function tally(grades: Grade[]): Tally {
  const results: Record<string, number> = {};
  const failed: Record<string, number> = {};
  for (const g of grades) {
    results[g.result] = (results[g.result] ?? 0) + 1;
    for (const id of g.failedCriteria) failed[id] = (failed[id] ?? 0) + 1;
  }
  const mean = grades.reduce((s, g) => s + g.score, 0) / Math.max(grades.length, 1);
  return {
    sessions: grades.length,
    results,
    meanScore: Number(mean.toFixed(3)),
    failedCriteria: failed,
  };
}

const line = (label: string, t: Tally) =>
  `${label.padEnd(16)} ${String(t.sessions).padStart(3)} sessions  mean score ${t.meanScore.toFixed(3)}  ${Object.entries(
    t.results,
  )
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}  | failed most: ${Object.entries(t.failedCriteria)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}`;

async function landings(): Promise<Record<string, Tally>> {
  const definition = rubric('lunar-landing.json');
  const out: Record<string, Tally> = {};
  for (const family of familyNames()) {
    const grades: Grade[] = [];
    for (const scenario of expandFamily(family)) {
      const events: SessionEventBody[] = [];
      await flyLanding(scenario, new BuiltinLunarTeam(), {
        onEvents: (e) => void events.push(...e),
      });
      grades.push(
        await gradeSession({
          definition,
          definitionVersion: 1,
          events,
          session: { status: 'completed', environment: 'lunar-lander' },
          iteration: 1,
        }),
      );
    }
    out[family] = tally(grades);
    console.log(line(family, out[family]));
  }
  return out;
}

async function triage(): Promise<Tally> {
  const definition = rubric('ci-log-triage.json');
  const cases = await loadDataset(join(bundledDatasetsDir(), 'ci-breakages'));
  const grades: Grade[] = [];
  for (const c of cases) {
    // Exactly the events a managed builtin triage session records.
    const { events } = runBuiltinTriage(c, []);
    grades.push(
      await gradeSession({
        definition,
        definitionVersion: 1,
        events,
        session: { status: 'completed', environment: 'ci-log-triage' },
        iteration: 1,
        labels: c.errorRanges,
      }),
    );
  }
  const t = tally(grades);
  console.log(line('ci-log-triage', t));
  return t;
}

async function main() {
  console.log('lunar landings (examples/outcomes/lunar-landing.json):');
  const lander = await landings();
  console.log(
    '\nCI-log triage (examples/outcomes/ci-log-triage.json; its judged criterion is not gradable offline):',
  );
  const logs = await triage();
  const path = writeResult({
    benchmark: 'day-one-grades',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    lander,
    triage: logs,
  } as { benchmark: string; date: string });
  console.log(`\nwritten to ${path}`);
}

main().catch((err: Error) => {
  console.error(`eval:grades: ${err.message}`);
  process.exitCode = 1;
});
