import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error';
import { jsonBodiesOnly } from './json-bodies';

/** What the middleware passes on for a request with these method and headers. */
function passed(method: string, headers: Record<string, string>): unknown {
  let err: unknown = 'next not called';
  jsonBodiesOnly()({ method, headers } as IncomingMessage, {} as ServerResponse, (e) => {
    err = e;
  });
  return err;
}

const withBody = (contentType?: string) => ({
  'content-length': '12',
  ...(contentType === undefined ? {} : { 'content-type': contentType }),
});

describe('jsonBodiesOnly', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON; Charset="UTF-8"',
    'application/merge-patch+json',
  ])('lets a body of %s through', (contentType) => {
    expect(passed('POST', withBody(contentType))).toBeUndefined();
  });

  it('lets requests without a body through, whatever their type', () => {
    expect(passed('POST', { 'content-length': '0' })).toBeUndefined();
    expect(passed('POST', {})).toBeUndefined();
    expect(passed('GET', withBody('text/plain'))).toBeUndefined();
  });

  it.each([
    ['application/x-www-form-urlencoded', /^content-type "application\/x-www-form-urlencoded"/],
    ['text/plain;charset=UTF-8', /^content-type "text\/plain;charset=UTF-8" is not supported/],
    ['multipart/form-data; boundary=x', /^content-type "multipart\/form-data/],
    [undefined, /^a body without content-type is not supported; send JSON as utf-8/],
    ['application/json; charset=koi8-r', /^charset "koi8-r" is not supported; send JSON as utf-8$/],
    ['application/json; charset=utf-7', /^charset "utf-7" is not supported/],
    ['application/json; charset=utf-16', /^charset "utf-16" is not supported/],
  ])('answers a body of %s with a 415', (contentType, message) => {
    for (const method of ['POST', 'PUT', 'PATCH']) {
      const err = passed(method, withBody(contentType));
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 415, type: 'invalid_request_error' });
      expect((err as ApiError).message).toMatch(message);
    }
  });

  it('counts a chunked body as a body', () => {
    expect(passed('POST', { 'transfer-encoding': 'chunked' })).toMatchObject({ status: 415 });
  });
});
