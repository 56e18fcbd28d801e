import {
  DEFAULT_RETRY_SCHEDULE_MS,
  nextAttemptAt,
  parseRetryAfter,
  retrySchedule,
} from './backoff';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const after = (d: Date | null) => (d ? d.getTime() - NOW.getTime() : null);

describe('nextAttemptAt', () => {
  it('follows the default schedule: 5 s, 30 s, 2 min, 10 min, 30 min, 2 h, then gives up', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((made) => after(nextAttemptAt(made, NOW)));
    expect(delays).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000, null]);
    expect(DEFAULT_RETRY_SCHEDULE_MS[0]).toBe(0);
  });

  it('takes a schedule in milliseconds (tests use short ones)', () => {
    const schedule = [0, 10, 20];
    expect(after(nextAttemptAt(1, NOW, schedule))).toBe(10);
    expect(after(nextAttemptAt(2, NOW, schedule))).toBe(20);
    expect(nextAttemptAt(3, NOW, schedule)).toBeNull();
  });

  it('spreads delays by the jitter, within delay × (1 ± jitter)', () => {
    const low = nextAttemptAt(1, NOW, undefined, { jitter: 0.2, random: () => 0 });
    const high = nextAttemptAt(1, NOW, undefined, { jitter: 0.2, random: () => 0.999999 });
    expect(after(low)).toBe(4_000);
    expect(after(high)).toBe(6_000);
    expect(after(nextAttemptAt(1, NOW, undefined, { jitter: 0.2, random: () => 0.5 }))).toBe(5_000);
  });

  it('waits at least as long as the receiver asked with Retry-After', () => {
    expect(after(nextAttemptAt(1, NOW, undefined, { retryAfterMs: 60_000 }))).toBe(60_000);
    // A shorter Retry-After than the schedule changes nothing.
    expect(after(nextAttemptAt(2, NOW, undefined, { retryAfterMs: 1_000 }))).toBe(30_000);
  });
});

describe('retrySchedule', () => {
  it('cuts the base schedule short or repeats its last delay to reach maxAttempts', () => {
    expect(retrySchedule(3)).toEqual([0, 5_000, 30_000]);
    expect(retrySchedule(9, [0, 100, 200])).toEqual([0, 100, 200, 200, 200, 200, 200, 200, 200]);
    expect(retrySchedule(7)).toEqual([...DEFAULT_RETRY_SCHEDULE_MS]);
  });

  it('refuses schedules that make no sense', () => {
    expect(() => retrySchedule(0)).toThrow(/positive integer/);
    expect(() => retrySchedule(2, [])).toThrow(/at least one delay/);
    expect(() => retrySchedule(2, [0, -5])).toThrow(/non-negative/);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, capped at a day', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('999999999', NOW)).toBe(24 * 3_600_000);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });
});
