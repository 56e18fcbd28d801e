/**
 * Polls `probe` until it stops throwing, or fails with its last error once `timeoutMs` has passed.
 * Use it instead of sleeps: it waits only as long as needed.
 */
export async function expectEventually<T>(
  probe: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
