import type { CommandContext } from './command-context';

/**
 * `reverie batch cancel <batch id>`: ends the batch's sessions still running `canceled`; the
 * orchestrators stop their runs under way and skip those not started.
 */
export async function batchCancelCommand(ctx: CommandContext, id: string): Promise<number> {
  const batch = await ctx.client.batches.cancel(id);
  if (ctx.json) {
    ctx.out(JSON.stringify(batch, null, 2));
    return 0;
  }
  const counts = Object.entries(batch.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  ctx.out(
    `batch ${id}: ${batch.canceled} running session(s) canceled; of ${batch.total}: ${counts}`,
  );
  return 0;
}
