import { ReverieApiError, ReverieConnectionError, ReverieTimeoutError } from '@reverie/client';
import { ApiError, errorTitle, toApiError } from './http';

describe('toApiError / errorTitle', () => {
  it('titles a connection failure as not reached, never as a refusal', () => {
    const err = toApiError(
      new ReverieConnectionError(
        'GET /v1/sessions?limit=25',
        'http://127.0.0.1:3000',
        new TypeError('Failed to fetch'),
      ),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.type).toBe('network_error');
    expect(err.message).toBe(
      'GET /v1/sessions?limit=25: cannot reach the API at http://127.0.0.1:3000 (Failed to fetch)',
    );
    expect(errorTitle(err)).toBe('Could not reach the API');
  });

  it('titles a timeout as no answer in time', () => {
    const err = toApiError(new ReverieTimeoutError('GET /v1/agents', 30000));
    expect(err.status).toBe(0);
    expect(err.type).toBe('timeout');
    expect(err.message).toBe('GET /v1/agents got no answer within 30000 ms');
    expect(errorTitle(err)).toBe('The API did not answer in time');
  });

  it('keeps "refused" for what the API refused, in its own words', () => {
    const body = {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'from must be an instant' },
    };
    const err = toApiError(new ReverieApiError('GET /v1/sessions', 400, body));
    expect(err.status).toBe(400);
    expect(err.type).toBe('invalid_request_error');
    expect(err.message).toBe('from must be an instant');
    expect(errorTitle(err)).toBe('The API refused this');
  });

  it('titles a 5xx as the API failing, and anything else plainly', () => {
    const err = toApiError(new ReverieApiError('GET /v1/sessions', 503, 'upstream down'));
    expect(errorTitle(err)).toBe('The API failed');
    expect(errorTitle(new Error('boom'))).toBe('Something went wrong');
  });

  it('leaves an error that is not the client’s (the caller’s abort) as it is', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(() => toApiError(abort)).toThrow(abort);
  });
});
