const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Delay before each attempt, counted from the previous failure: the first right away, then 5 s,
 * 30 s, 2 min, 10 min, 30 min and 2 h (about 2 h 43 min from first to last). Its length is the
 * default number of attempts.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5 * SECOND,
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
];

/** Share of a delay added or removed at random by default, so retries of many deliveries spread. */
export const DEFAULT_RETRY_JITTER = 0.1;

export interface BackoffOptions {
  /** 0 (none, for tests) to 1: the delay becomes delay × (1 ± jitter), uniformly. */
  jitter?: number;
  /** A uniform [0, 1) source; injectable for tests. */
  random?: () => number;
  /** A wait the receiver asked for (`Retry-After`): the next attempt waits at least that long. */
  retryAfterMs?: number | null;
}

/**
 * A schedule of exactly `maxAttempts` delays: `base` cut short, or extended by repeating its
 * last delay.
 */
export function retrySchedule(
  maxAttempts: number,
  base: readonly number[] = DEFAULT_RETRY_SCHEDULE_MS,
): number[] {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  if (base.length === 0) throw new Error('a retry schedule needs at least one delay');
  if (base.some((d) => !Number.isFinite(d) || d < 0))
    throw new Error(`retry delays must be non-negative milliseconds, got ${base.join(', ')}`);
  return Array.from({ length: maxAttempts }, (_, i) => base[Math.min(i, base.length - 1)]);
}

/**
 * When to make the next attempt after `attemptsMade` attempts (the last one at `now`) have
 * failed, or null when the schedule has no attempt left: the delivery has failed for good.
 */
export function nextAttemptAt(
  attemptsMade: number,
  now: Date,
  schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_MS,
  { jitter = 0, random = Math.random, retryAfterMs = null }: BackoffOptions = {},
): Date | null {
  if (attemptsMade >= schedule.length) return null;
  const base = schedule[Math.max(attemptsMade, 0)];
  const spread = Math.min(Math.max(jitter, 0), 1);
  let delay = Math.round(base * (1 + spread * (2 * random() - 1)));
  if (retryAfterMs !== null && retryAfterMs > delay) delay = retryAfterMs;
  return new Date(now.getTime() + delay);
}

/** Longest `Retry-After` honoured: a receiver cannot park a delivery for longer than a day. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;

/**
 * A `Retry-After` header as milliseconds from `now`: delta-seconds or an HTTP date; null when
 * absent or unreadable. Capped at a day.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  const text = value.trim();
  const ms = /^\d+$/.test(text)
    ? Number(text) * SECOND
    : Number.isNaN(Date.parse(text))
      ? null
      : Date.parse(text) - now.getTime();
  if (ms === null) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
