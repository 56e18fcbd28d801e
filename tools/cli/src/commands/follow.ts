import type { CommandContext } from './command-context';

/** Polls a session until it is no longer running, with a progress line; returns it as it ended. */
export async function followSession(ctx: CommandContext, sessionId: string) {
  let current = await ctx.client.sessions.get(sessionId);
  await ctx.poll(async () => {
    current = await ctx.client.sessions.get(sessionId);
    ctx.progress.update(
      current.status === 'running' ? 0 : 1,
      1,
      `${current.status}, ${current.eventCount} events`,
    );
    return current.status !== 'running';
  });
  ctx.progress.finish();
  return current;
}

/** Polls a batch until every session has ended, with a progress bar; returns its last state and how long it took. */
export async function followBatch(ctx: CommandContext, batchId: string) {
  const started = Date.now();
  let state = await ctx.client.batches.get(batchId, { limit: 1000 });
  await ctx.poll(async () => {
    state = await ctx.client.batches.get(batchId, { limit: 1000 });
    const { completed, failed, canceled } = state.counts;
    ctx.progress.update(
      completed + failed + canceled,
      state.total,
      `completed ${completed}, failed ${failed}`,
    );
    return state.done;
  });
  ctx.progress.finish();
  return { state, seconds: (Date.now() - started) / 1000 };
}
