import { formatRanges, fmt, triageOutcome } from '../triage-result';
import type { CommandContext } from './command-context';
import { followSession } from './follow';

/** `reverie run`: one managed session, followed until it ends. */
export async function runCommand(ctx: CommandContext, opts: { agent: string; caseId: string }) {
  const session = await ctx.client.sessions.create({
    agentId: opts.agent,
    run: { environment: 'ci-log-triage', task: { caseId: opts.caseId }, ...ctx.modelOverride },
  });
  ctx.log(`session ${session.id} started for case ${opts.caseId}`);
  const current = await followSession(ctx, session.id);
  const events = await ctx.client.collect(ctx.client.sessions.allEvents(session.id));
  const outcome = triageOutcome(events);
  if (ctx.json) {
    ctx.out(JSON.stringify({ session: current, outcome }, null, 2));
    return current.status === 'completed' ? 0 : 1;
  }
  ctx.out(
    `session ${current.id}: ${current.status}${current.endReason ? ` (${current.endReason})` : ''}, ${events.length} events`,
  );
  if (outcome) {
    ctx.out(`answer  ${formatRanges(outcome.answer, 20)}`);
    ctx.out(
      `score   precision ${fmt(outcome.precision)}  recall ${fmt(outcome.recall)}  F1 ${fmt(outcome.f1)}`,
    );
  }
  return current.status === 'completed' ? 0 : 1;
}
