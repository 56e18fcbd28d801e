export interface RetryPolicy {
  /** Retries after the first attempt; 4 means at most 5 attempts. */
  maxRetries: number;
  /** Backoff before the first retry; doubles each retry. */
  initialDelayMs: number;
  /** Cap on the computed backoff. */
  maxDelayMs: number;
  /** Cap on a server's `retry-after`, so a far-off hint cannot park a session for an hour. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  initialDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/** 429 (rate limited), 5xx and 529 (overloaded) are worth another try; other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry` (1-based): the server's `retry-after-ms` or `retry-after`
 * (seconds or an HTTP date) when it sent one, else exponential backoff with jitter (half fixed,
 * half random) so that many sessions hitting the same limit do not retry in lockstep.
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  headers: { get(name: string): string | null } | undefined,
  random: () => number = Math.random,
  now: () => number = Date.now,
): number {
  const hinted = retryAfterMs(headers, now);
  if (hinted !== undefined) return Math.min(hinted, policy.maxRetryAfterMs);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

function retryAfterMs(
  headers: { get(name: string): string | null } | undefined,
  now: () => number,
): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
