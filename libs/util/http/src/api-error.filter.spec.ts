import {
  BadRequestException,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  type ArgumentsHost,
} from '@nestjs/common';
import { conflict, invalidRequest } from './api-error';
import { lastValueFrom, type Observable } from 'rxjs';
import { runInNewContext } from 'node:vm';
import { ApiErrorFilter } from './api-error.filter';

/** What the filter logged, by level (the Nest Logger it writes through, spied on). */
const logged: { warn: unknown[]; error: unknown[] } = { warn: [], error: [] };

beforeEach(() => {
  logged.warn = [];
  logged.error = [];
  jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
    logged.warn.push(message);
  });
  jest
    .spyOn(Logger.prototype, 'error')
    .mockImplementation((message: unknown, ...rest: unknown[]) => {
      logged.error.push(rest.length ? [message, ...rest] : message);
    });
});

afterEach(() => jest.restoreAllMocks());

function respond(exception: unknown) {
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new ApiErrorFilter().catch(exception, host);
  return sent;
}

describe('ApiErrorFilter', () => {
  it('hands a Kafka handler its error back untouched instead of writing an HTTP response', async () => {
    const error = new Error('key must not contain null bytes');
    const host = {
      getType: () => 'rpc',
      switchToHttp: () => ({ getResponse: () => ({}) }),
    } as unknown as ArgumentsHost;
    const result = new ApiErrorFilter().catch(error, host);
    expect(result).toBeDefined();
    await expect(lastValueFrom(result as Observable<never>)).rejects.toBe(error);
  });

  it('answers API errors with their status, type, message and field details', () => {
    expect(
      respond(
        invalidRequest('invalid agent: name is empty', [{ path: 'name', message: 'is empty' }]),
      ),
    ).toEqual({
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'invalid agent: name is empty',
          details: [{ path: 'name', message: 'is empty' }],
        },
      },
    });
    expect(respond(conflict('session "s" has ended'))).toMatchObject({
      status: 409,
      body: { error: { type: 'conflict_error' } },
    });
  });

  it('maps body-parser failures to 400 and 413', () => {
    expect(respond({ type: 'entity.parse.failed', status: 400 })).toMatchObject({
      status: 400,
      body: { error: { message: 'request body is not valid JSON' } },
    });
    expect(respond({ type: 'entity.too.large', status: 413 })).toMatchObject({
      status: 413,
      body: { error: { type: 'request_too_large' } },
    });
  });

  it('says a JSON body that is no object (null, 1, "x") must be an object, not that it is not JSON', () => {
    // What body-parser's strict mode throws for them: a SyntaxError typed entity.parse.failed.
    for (const body of ['null', ' 1', '"x"', 'true']) {
      expect(respond({ type: 'entity.parse.failed', status: 400, body })).toMatchObject({
        status: 400,
        body: {
          error: { type: 'invalid_request_error', message: 'request body must be a JSON object' },
        },
      });
    }
    expect(respond({ type: 'entity.parse.failed', status: 400, body: 'nul' })).toMatchObject({
      body: { error: { message: 'request body is not valid JSON' } },
    });
  });

  it("says so too when Nest hands on only the parser's words (a BadRequestException)", () => {
    const refusal = (quoted: string) =>
      respond(new BadRequestException(`Unexpected token 'x', "${quoted}" is not valid JSON`));
    for (const quoted of ['null', '  1', '"x"']) {
      expect(refusal(quoted)).toMatchObject({
        status: 400,
        body: { error: { message: 'request body must be a JSON object' } },
      });
    }
    for (const quoted of ['nul', 'nope']) {
      expect(refusal(quoted)).toMatchObject({
        status: 400,
        body: { error: { message: expect.stringMatching(/^request body is not valid JSON: /) } },
      });
    }
  });

  it.each([
    [
      { type: 'encoding.unsupported', status: 415, encoding: 'br2' },
      415,
      /^content-encoding "br2" is not supported; send the body as identity, gzip, deflate or br$/,
    ],
    [
      { type: 'charset.unsupported', status: 415, charset: 'koi8-r' },
      415,
      /^charset "koi8-r" is not supported; send JSON as utf-8$/,
    ],
    [{ type: 'request.aborted', status: 400 }, 400, /aborted before its body was read/],
    [{ type: 'request.size.invalid', status: 400 }, 400, /not as long as its content-length/],
  ])('answers body-parser error %j as %d invalid_request_error', (error, status, message) => {
    const sent = respond(Object.assign(new Error('raw'), error));
    expect(sent).toMatchObject({ status, body: { error: { type: 'invalid_request_error' } } });
    expect((sent.body as { error: { message: string } }).error.message).toMatch(message);
    expect(logged.error).toEqual([]);
  });

  it("answers a body that does not decompress with 400 invalid_request_error, not zlib's code", () => {
    // What body-parser passes on for a gzip header over garbage: zlib's error, given status 400.
    const zlib = Object.assign(new Error('incorrect header check'), {
      errno: -3,
      code: 'Z_DATA_ERROR',
      status: 400,
      statusCode: 400,
      expose: true,
    });
    expect(respond(zlib)).toEqual({
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message:
            'request body could not be decoded as its content-encoding says (incorrect header check)',
        },
      },
    });
  });

  it("answers the parser's own faults (the stream read before it) as a logged 500", () => {
    const sent = respond(
      Object.assign(new Error('stream encoding should not be set'), {
        type: 'stream.encoding.set',
        status: 500,
      }),
    );
    expect(sent).toMatchObject({ status: 500, body: { error: { message: 'internal error' } } });
    expect(logged.error).toHaveLength(1);
  });

  it('says plainly when Nest reports unparsable JSON', () => {
    expect(
      respond(new BadRequestException("Expected property name or '}' in JSON at position 1")),
    ).toMatchObject({
      status: 400,
      body: {
        error: {
          message: expect.stringMatching(/^request body is not valid JSON: Expected property/),
        },
      },
    });
  });

  it("answers other libraries' domain errors by their status and code", () => {
    const error = Object.assign(new Error('entry "x" holds an API key'), {
      status: 422,
      code: 'content_rejected',
      details: [{ path: 'entries[0].guidance', message: 'looks like an API key' }],
    });
    expect(respond(error)).toEqual({
      status: 422,
      body: {
        type: 'error',
        error: {
          type: 'content_rejected',
          message: 'entry "x" holds an API key',
          details: error.details,
        },
      },
    });
  });

  it('keeps Nest HTTP errors (an unknown route) with a typed body', () => {
    expect(respond(new NotFoundException('Cannot GET /v2'))).toEqual({
      status: 404,
      body: { type: 'error', error: { type: 'not_found_error', message: 'Cannot GET /v2' } },
    });
  });

  it('answers a 503 HTTP error (Kafka unavailable) as overloaded_error', () => {
    const sent = respond(new ServiceUnavailableException('Kafka is unavailable; retry shortly'));
    expect(sent).toEqual({
      status: 503,
      body: {
        type: 'error',
        error: { type: 'overloaded_error', message: 'Kafka is unavailable; retry shortly' },
      },
    });
  });

  it.each([
    'MongoNetworkError',
    'MongoServerSelectionError',
    'MongooseServerSelectionError',
    'PoolClearedOnNetworkError',
    'MongoServerClosedError',
  ])('answers %s (MongoDB unreachable) with a 503 that names MongoDB, not a 500', (name) => {
    const error = Object.assign(new Error('connection 4 to 127.0.0.1:27017 closed'), { name });
    expect(respond(error)).toEqual({
      status: 503,
      body: {
        type: 'error',
        error: { type: 'overloaded_error', message: 'MongoDB is unavailable; retry shortly' },
      },
    });
    expect(logged.warn).toEqual([expect.stringMatching(`^MongoDB unavailable: ${name}: `)]);
    expect(logged.error).toEqual([]);
  });

  it('answers an outage wrapped in another error (its cause) with a 503, not a 500', () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), {
      name: 'MongoServerSelectionError',
    });
    const wrapped = new Error('could not read the session', { cause: outage });
    expect(respond(wrapped)).toMatchObject({
      status: 503,
      body: { error: { message: 'MongoDB is unavailable; retry shortly' } },
    });
  });

  it("answers Node's own EPIPE from the driver's socket (another realm under Jest) with a 503 naming MongoDB", () => {
    // The mongo-outage spec's 500: the driver wrote a command to a connection MongoDB had just
    // closed; net's writeAfterFIN error came up unwrapped, and is no `instanceof Error` here.
    const foreign = runInNewContext(
      "Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE', stack: 'Error: This socket has been ended by the other party\\n    at Socket.writeAfterFIN (node:net:566:14)\\n    at Connection.writeCommand (/work/main/node_modules/mongodb/src/cmap/connection.ts:722:23)' })",
    ) as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(respond(foreign)).toEqual({
      status: 503,
      body: {
        type: 'error',
        error: { type: 'overloaded_error', message: 'MongoDB is unavailable; retry shortly' },
      },
    });
    expect(logged.warn).toEqual([
      'MongoDB unavailable: Error (EPIPE): This socket has been ended by the other party',
    ]);
    expect(logged.error).toEqual([]);
  });

  it('logs an unexpected error once, with its stack as the stack, even from another realm', () => {
    const foreign = runInNewContext("new RangeError('offset out of range')") as { stack: string };
    expect(respond(foreign)).toMatchObject({ status: 500 });
    expect(logged.error).toEqual([['RangeError: offset out of range', foreign.stack]]);
    expect(foreign.stack).toMatch(/\n\s+at /);
  });

  it('never shows an unexpected error or its stack to the client', () => {
    const sent = respond(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(sent).toEqual({
      status: 500,
      body: { type: 'error', error: { type: 'api_error', message: 'internal error' } },
    });
  });
});
