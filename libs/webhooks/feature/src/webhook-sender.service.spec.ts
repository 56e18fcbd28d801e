import type { PostResult } from './webhook-request';
import { attemptError } from './webhook-sender.service';

const answered = (statusCode: number, location: string | null = null): PostResult => ({
  statusCode,
  errorType: null,
  error: null,
  retryAfter: null,
  location,
});

describe('attemptError (what the tenant reads about a failed attempt)', () => {
  it.each([301, 302, 307, 308])(
    'says a %i was not followed without repeating the receiver-chosen target',
    (code) => {
      const error = attemptError(answered(code, 'https://attacker.example/pay?to=mallory'));
      expect(error).toBe(`the endpoint answered HTTP ${code}; redirects are not followed`);
    },
  );

  it('names the status of any other non-2xx answer, and passes on why no answer came', () => {
    expect(attemptError(answered(503))).toBe('the endpoint answered HTTP 503');
    expect(
      attemptError({
        statusCode: null,
        errorType: 'timeout',
        error: 'no answer within 10 s',
        retryAfter: null,
        location: null,
      }),
    ).toBe('no answer within 10 s');
  });
});
