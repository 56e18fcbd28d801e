import { DEFAULT_RETRY_POLICY, isRetryableStatus, retryDelayMs } from './retry-policy';

describe('retry policy', () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 1000, maxDelayMs: 8000 };

  it('retries 429, 5xx and 529, not other 4xx', () => {
    expect([429, 500, 502, 503, 529].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413].some(isRetryableStatus)).toBe(false);
  });

  it('doubles the backoff each retry up to the cap, half of it jitter', () => {
    const delays = [1, 2, 3, 4, 5].map((retry) => retryDelayMs(retry, policy, undefined, () => 0));
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(retryDelayMs(1, policy, undefined, () => 0.998)).toBe(999);
  });

  it("honours the server's retry-after-ms, retry-after seconds and retry-after date", () => {
    expect(retryDelayMs(1, policy, headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(
      1500,
    );
    expect(retryDelayMs(1, policy, headers({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(
      retryDelayMs(
        1,
        policy,
        headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }),
        Math.random,
        () => now,
      ),
    ).toBe(7000);
  });

  it('caps a far-off retry-after', () => {
    expect(retryDelayMs(1, policy, headers({ 'retry-after': '3600' }))).toBe(
      policy.maxRetryAfterMs,
    );
  });
});
