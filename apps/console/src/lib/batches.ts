/** A batch's progress as the console prints it, from the API's `counts` by status and `total`. */
export interface BatchCounts {
  total: number;
  counts: Record<string, number>;
}

/** Ended statuses in the order the console names them. */
const ENDED = ['completed', 'failed', 'canceled'];

/** How many of the batch's sessions have ended (any status but `running`). */
export function endedOf(batch: BatchCounts): number {
  return Object.entries(batch.counts)
    .filter(([status]) => status !== 'running')
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * "12 of 15 ended: 10 completed, 2 failed; 3 running". Statuses with no session are left out; one
 * the console does not know (a newer API's) is named after the known ones.
 */
export function batchSummary(batch: BatchCounts): string {
  const ended = endedOf(batch);
  const named = [
    ...ENDED.filter((s) => batch.counts[s]),
    ...Object.keys(batch.counts)
      .filter((s) => s !== 'running' && !ENDED.includes(s) && batch.counts[s])
      .sort(),
  ];
  const parts = named.map((s) => `${batch.counts[s]} ${s}`);
  const running = batch.counts.running ?? 0;
  return (
    `${ended} of ${batch.total} ended` +
    (parts.length ? `: ${parts.join(', ')}` : '') +
    (running ? `; ${running} running` : '')
  );
}
