import { formatRanges, fmt, triageOutcome, type TriageOutcome } from '../triage-result';
import type { CommandContext } from './command-context';
import { followBatch } from './follow';
import { datasetTasks, type Split } from './dataset';

interface BatchSession {
  id: string;
  status: string;
  task: { caseId?: string };
  eventCount: number;
}

/** `reverie batch`: one managed session per case of a dataset, followed with a progress bar. */
export async function batchCommand(
  ctx: CommandContext,
  opts: { agent: string; dataset: string; split: Split; repeat: number },
) {
  const tasks = datasetTasks(opts.dataset, opts.split, opts.repeat);
  const batch = await ctx.client.batches.create({
    agentId: opts.agent,
    title: `ci-log-triage ${opts.split}${opts.repeat > 1 ? ` x${opts.repeat}` : ''}`,
    run: { environment: 'ci-log-triage', ...ctx.modelOverride },
    tasks,
  });
  ctx.log(
    `batch ${batch.id}: ${tasks.length} sessions (reverie batch cancel ${batch.id} stops it)`,
  );
  const { state, seconds } = await followBatch(ctx, batch.id);
  const sessions: BatchSession[] = state.sessions;
  const rows: { session: BatchSession; outcome: TriageOutcome | null }[] = [];
  for (const session of sessions)
    rows.push({
      session,
      outcome: triageOutcome(await ctx.client.collect(ctx.client.sessions.allEvents(session.id))),
    });
  const scored = rows.flatMap((r) => (r.outcome?.f1 === undefined ? [] : [r.outcome]));
  const mean = (pick: (o: TriageOutcome) => number | undefined) =>
    scored.length ? scored.reduce((s, o) => s + (pick(o) ?? 0), 0) / scored.length : undefined;
  const summary = {
    batchId: batch.id,
    sessions: state.total,
    counts: state.counts,
    seconds,
    sessionsPerMinute: (state.total / seconds) * 60,
    macro: {
      precision: mean((o) => o.precision),
      recall: mean((o) => o.recall),
      f1: mean((o) => o.f1),
    },
  };
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        { ...summary, results: rows.map((r) => ({ ...r.session, outcome: r.outcome })) },
        null,
        2,
      ),
    );
  } else {
    ctx.out(
      `${'case'.padEnd(28)} ${'status'.padEnd(10)} ${'P'.padStart(5)} ${'R'.padStart(5)} ${'F1'.padStart(5)}  answer (line ranges)`,
    );
    for (const { session, outcome } of rows) {
      ctx.out(
        `${String(session.task.caseId ?? session.id).padEnd(28)} ${session.status.padEnd(10)} ${fmt(outcome?.precision)} ${fmt(outcome?.recall)} ${fmt(outcome?.f1)}  ${outcome ? formatRanges(outcome.answer) : ''}`,
      );
    }
    ctx.out(
      `\n${state.total} sessions in ${seconds.toFixed(1)} s (${summary.sessionsPerMinute.toFixed(0)}/min): ` +
        `completed ${state.counts.completed}, failed ${state.counts.failed}; macro P ${fmt(summary.macro.precision)} R ${fmt(summary.macro.recall)} F1 ${fmt(summary.macro.f1)}`,
    );
  }
  return state.counts.failed === 0 ? 0 : 1;
}
