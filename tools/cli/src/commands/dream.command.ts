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
  ctx.log(`dream ${created.id}: ${created.status}`);
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
    // A dream that stopped part-way leaves a report of what it did (one that was canceled before
    // it started, or kept dying, has none).
    const report = await ctx.client.dreams.report(dream.id).then(
      (r) => r.report,
      () => null,
    );
    if (ctx.json) {
      ctx.out(JSON.stringify({ dream, report }, null, 2));
      return 1;
    }
    ctx.out(
      `dream ${dream.id} ${dream.status}${dream.error ? `: ${dream.error.type}: ${dream.error.message}` : ''}`,
    );
    for (const s of report?.stages ?? []) ctx.out(`  stage    ${s.stage}: ${s.summary}`);
    for (const n of report?.notes ?? []) ctx.out(`  note     ${n}`);
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
