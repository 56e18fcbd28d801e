import { expandFamily, type LandingResult } from '@reverie/lunar-lander';
import { landingFromEvents } from '../landing-result';
import type { CommandContext } from './command-context';
import { followBatch } from './follow';

interface BatchSession {
  id: string;
  status: string;
  task: { family?: string; index?: number };
}

const num = (v: number | null | undefined, digits = 1, width = 6) =>
  (v === null || v === undefined ? '-' : v.toFixed(digits)).padStart(width);

/** `reverie batch --family <f>`: one landing per scenario of a family, then the safe-landing rate. */
export async function landBatchCommand(
  ctx: CommandContext,
  opts: { agent: string; family: string; repeat: number },
): Promise<number> {
  const scenarios = expandFamily(opts.family);
  const tasks = Array.from({ length: opts.repeat }, () =>
    scenarios.map((_, index) => ({ family: opts.family, index })),
  ).flat();
  const batch = await ctx.client.batches.create({
    agentId: opts.agent,
    title: `lunar-lander ${opts.family}${opts.repeat > 1 ? ` x${opts.repeat}` : ''}`,
    run: { environment: 'lunar-lander', ...ctx.modelOverride },
    tasks,
  });
  ctx.log(
    `batch ${batch.id}: ${tasks.length} landings (reverie batch cancel ${batch.id} stops it)`,
  );
  const { state, seconds } = await followBatch(ctx, batch.id);
  const rows: { session: BatchSession; result: LandingResult | null }[] = [];
  for (const session of state.sessions as BatchSession[])
    rows.push({
      session,
      result: landingFromEvents(await ctx.client.collect(ctx.client.sessions.allEvents(session.id)))
        .result,
    });
  const results = rows.flatMap((r) => (r.result ? [r.result] : []));
  const safe = results.filter((r) => r.safe).length;
  const summary = {
    batchId: batch.id,
    family: opts.family,
    sessions: state.total,
    counts: state.counts,
    seconds,
    safeLandings: safe,
    safeRate: results.length ? safe / results.length : null,
  };
  if (ctx.json) {
    ctx.out(JSON.stringify({ ...summary, results: rows }, null, 2));
  } else {
    ctx.out(
      `${'scenario'.padEnd(18)} ${'verdict'.padEnd(12)} ${'vz m/s'.padStart(6)} ${'vx m/s'.padStart(6)} ${'tilt°'.padStart(6)} ${'fuel kg'.padStart(7)} ${'limit'.padStart(6)} ${'site m'.padStart(6)}`,
    );
    for (const { session, result } of rows) {
      const t = result?.touchdown;
      ctx.out(
        `${String(result?.scenarioId ?? session.id).padEnd(18)} ${String(t?.verdict ?? result?.status ?? session.status).padEnd(12)} ${num(t?.verticalSpeed)} ${num(t?.horizontalSpeed)} ${num(t?.tiltDeg)} ${num(result?.fuelUsed, 0, 7)} ${num(result?.fuelLimit, 0)} ${num(t?.distanceToTarget, 0)}`,
      );
    }
    ctx.out(
      `\n${state.total} landings in ${seconds.toFixed(1)} s: ${safe} safe (${summary.safeRate === null ? '-' : (summary.safeRate * 100).toFixed(0)} %), sessions completed ${state.counts.completed}, failed ${state.counts.failed}`,
    );
  }
  return state.counts.failed === 0 ? 0 : 1;
}
