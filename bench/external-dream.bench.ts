/**
 * `node -r @swc-node/register bench/external-dream.bench.ts`: what a dream over external sessions
 * costs, in-process (no stack). 250, 500, 1,000 and 2,000 day-one support-desk sessions (the
 * offline team, round-robin over tickets) go through the external dreamer's stages as the pipeline
 * runs them: prepare, localise, reflect (mine + held-out check) and the offline gate. Collect
 * (MongoDB reads) and publish are not run. Prints wall time per stage and per 1,000 sessions, and
 * writes bench/results/external-dream.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineSupportTeam, supportFacts, supportTasks } from '@reverie/support-desk';
import type { CollectedSession } from '../libs/dreaming/feature/src/environments/environment-dreamer';
import { ExternalDreamer } from '../libs/dreaming/feature/src/environments/external.dreamer';

function sessions(n: number): CollectedSession[] {
  const tasks = supportTasks(Math.ceil(n / 3));
  return Array.from({ length: n }, (_, i) => {
    const run = new OfflineSupportTeam(tasks[i % tasks.length], {}).run();
    const ok = supportFacts(run.events).values['support.resolved'] === true;
    return {
      session: {
        _id: `ses_${i}`,
        agentId: 'agt_bench',
        status: ok ? 'completed' : 'failed',
        source: 'external',
        lastSeq: run.events.length,
      },
      outcome: null,
      events: run.events,
    } as unknown as CollectedSession;
  });
}

async function time<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const v = await f();
  return [v, Number(process.hrtime.bigint() - t0) / 1e6];
}

async function main() {
  const rows = [];
  for (const n of [250, 500, 1000, 2000]) {
    const input = sessions(n);
    const d = new ExternalDreamer();
    const [prepared, prepareMs] = await time(() => d.prepare(input));
    const failed = input.filter((s) => !d.verdict(s).succeeded);
    const [, localiseMs] = await time(() =>
      d.localise(prepared, failed, [], new Map(), { simulations: 0 }, async () => undefined),
    );
    const [r, reflectMs] = await time(() => d.reflect(prepared, new Map()));
    const [, gateMs] = await time(() => d.offlineGate(prepared));
    const total = prepareMs + localiseMs + reflectMs + gateMs;
    const row = {
      sessions: n,
      events: input.reduce((a, s) => a + s.events.length, 0),
      prepareMs,
      localiseMs,
      reflectMs,
      gateMs,
      totalMs: total,
      msPer1000: (total / n) * 1000,
      drafts: r.drafts.length,
    };
    rows.push(row);
    process.stdout.write(
      `${n} sessions (${row.events} events): prepare ${prepareMs.toFixed(0)} ms, localise ${localiseMs.toFixed(0)} ms, reflect ${reflectMs.toFixed(0)} ms, gate ${gateMs.toFixed(0)} ms; total ${(total / 1000).toFixed(2)} s, ${(row.msPer1000 / 1000).toFixed(2)} s per 1,000 sessions; ${r.drafts.length} draft(s)\n`,
    );
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'external-dream.json'),
    `${JSON.stringify({ benchmark: 'external-dream', date: new Date().toISOString(), rows }, null, 2)}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
