import type { ConsumedBatch } from '@reverie/kafka';
import type { ConcurrencyLimiter } from './concurrency-limiter';

/**
 * Runs one piece of work per item of a consumed batch through the replica's concurrency limit,
 * heartbeating while they run (sessions take long), and returns only when every one has stopped,
 * so a retry of the batch never overlaps work in flight. Throws the first failure after that.
 */
export async function runBatchWork<T>(
  batch: Pick<ConsumedBatch, 'heartbeat'>,
  heartbeatIntervalMs: number,
  limiter: ConcurrencyLimiter,
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (items.length === 0) return;
  const beat = setInterval(
    () => void batch.heartbeat().catch(() => undefined),
    heartbeatIntervalMs,
  );
  try {
    const settled = await Promise.allSettled(items.map((item) => limiter.run(() => work(item))));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    clearInterval(beat);
  }
}
