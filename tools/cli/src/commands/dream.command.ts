import type { Dream } from '@reverie/client';
import type { CommandContext } from './command-context';

const TERMINAL = ['completed', 'failed', 'canceled'];

/**
 * `reverie dream --agent <id> [--sessions a,b]`: asks for a dream (the sessions since the agent's
 * last dream, or those named), follows it stage by stage, and prints its report: the Markdown
 * correction report with --markdown, or a summary.
 */
export async function dreamCommand(
  ctx: CommandContext,
  opts: { agent: string; sessions?: string[]; markdown: boolean },
): Promise<number> {
  const created = await ctx.client.dreams.create({
    agent_id: opts.agent,
    ...(opts.sessions && { inputs: [{ type: 'sessions' as const, session_ids: opts.sessions }] }),
    ...(ctx.modelOverride.model && {
      model: {
        provider: ctx.modelOverride.model.provider,
        ...(ctx.modelOverride.model.model && { model: ctx.modelOverride.model.model }),
      },
    }),
  });
  ctx.log(`dream ${created.id}: ${created.status} (reverie dream cancel ${created.id} stops it)`);
  let dream = created;
  await ctx.poll(async () => {
    dream = await ctx.client.dreams.get(created.id);
    const p = dream.progress;
    ctx.progress.update(
      p?.completed ?? 0,
      p?.total || 1,
      `${dream.status}${dream.stage ? ` · ${dream.stage}` : ''}${p?.message ? ` · ${p.message}` : ''}`,
    );
    return TERMINAL.includes(dream.status);
  });
  ctx.progress.finish();
  if (dream.status !== 'completed') {
    await showUnfinished(ctx, dream);
    return 1;
  }
  if (opts.markdown) {
    ctx.out(await ctx.client.dreams.reportMarkdown(dream.id));
    return 0;
  }
  const { report } = await ctx.client.dreams.report(dream.id);
  if (ctx.json) {
    ctx.out(JSON.stringify({ dream, report }, null, 2));
    return 0;
  }
  ctx.out(
    `dream ${dream.id} completed: ${report.sessionsReviewed} session(s) reviewed, ${report.failedSessions} failed, ${dream.simulations} simulations, ${dream.usage.input_tokens + dream.usage.output_tokens} tokens`,
  );
  for (const p of report.patterns.slice(0, 10)) ctx.out(`  pattern  ${p.description}`);
  for (const c of report.changes)
    ctx.out(`  ${c.kind.padEnd(14)} ${c.role ?? 'agent'}: ${c.title}`);
  const v = report.validation;
  if (v)
    ctx.out(
      `  validated on ${v.heldOut} held-out: ${v.metric} ${v.before} -> ${v.after} (${v.promote ? 'promoted' : 'not promoted'}: ${v.reason})`,
    );
  for (const out of dream.outputs)
    ctx.out(`  playbook ${out.role ?? 'agent'} v${out.version} ${out.status}`);
  for (const n of report.notes) ctx.out(`  note     ${n}`);
  return 0;
}

/**
 * `reverie dream cancel <dream id>`: asks the dream to stop (a pending one is canceled at once, a
 * running one at its next heartbeat) and follows it to its end, which a dream already publishing
 * reaches as it would have; then what it did, as `dream` shows a dream that did not complete.
 */
export async function dreamCancelCommand(ctx: CommandContext, id: string): Promise<number> {
  let dream = await ctx.client.dreams.cancel(id);
  if (!TERMINAL.includes(dream.status))
    ctx.log(`dream ${id}: asked to stop; it stops at its next heartbeat`);
  await ctx.poll(async () => {
    if (!TERMINAL.includes(dream.status)) dream = await ctx.client.dreams.get(id);
    ctx.progress.update(0, 0, `${dream.status}${dream.stage ? ` · ${dream.stage}` : ''}`);
    return TERMINAL.includes(dream.status);
  });
  ctx.progress.finish();
  if (dream.status === 'completed') {
    ctx.out(
      ctx.json
        ? JSON.stringify({ dream }, null, 2)
        : `dream ${id} completed before the cancel took effect (it was already publishing); its report: GET /v1/dreams/${id}/report`,
    );
    return 1;
  }
  await showUnfinished(ctx, dream);
  return dream.status === 'canceled' ? 0 : 1;
}

/**
 * A dream that did not complete: its status and error, and the report of what it did before it
 * stopped (one canceled before it started, or that kept dying, has none).
 */
async function showUnfinished(ctx: CommandContext, dream: Dream): Promise<void> {
  const report = await ctx.client.dreams.report(dream.id).then(
    (r) => r.report,
    () => null,
  );
  if (ctx.json) {
    ctx.out(JSON.stringify({ dream, report }, null, 2));
    return;
  }
  ctx.out(
    `dream ${dream.id} ${dream.status}${dream.error ? `: ${dream.error.type}: ${dream.error.message}` : ''}`,
  );
  for (const s of report?.stages ?? []) ctx.out(`  stage    ${s.stage}: ${s.summary}`);
  for (const n of report?.notes ?? []) ctx.out(`  note     ${n}`);
}
