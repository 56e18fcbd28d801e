import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, throwError } from 'rxjs';
import {
  capturedHandlerError,
  clearHandlerError,
  HandlerErrorInterceptor,
} from './handler-error.interceptor';
import { RetriableError } from './handler-errors';

/** The execution context Nest gives an interceptor, for a Kafka batch or an HTTP request. */
function contextOf(type: 'rpc' | 'http', data: unknown): ExecutionContext {
  return {
    getType: () => type,
    switchToRpc: () => ({ getData: () => data, getContext: () => undefined }),
  } as unknown as ExecutionContext;
}

const failing = (err: unknown): CallHandler => ({ handle: () => throwError(() => err) });

describe('HandlerErrorInterceptor', () => {
  const interceptor = new HandlerErrorInterceptor();

  it('keeps a Kafka handler’s error on its batch and hands no exception filter anything', async () => {
    const batch = { topic: 't', messages: [] };
    const err = new RetriableError('the session is not stored yet');
    // Completes: Nest's RPC filter (which would log it at error level, stack and all) never runs.
    await expect(
      lastValueFrom(interceptor.intercept(contextOf('rpc', batch), failing(err)), {
        defaultValue: 'nothing',
      }),
    ).resolves.toBeUndefined();
    expect(capturedHandlerError(batch)).toEqual({ error: err });
    clearHandlerError(batch);
    expect(capturedHandlerError(batch)).toBeUndefined();
  });

  it('tells a handler that threw undefined from one that did not throw', async () => {
    const batch = {};
    await lastValueFrom(interceptor.intercept(contextOf('rpc', batch), failing(undefined)), {
      defaultValue: undefined,
    });
    expect(capturedHandlerError(batch)).toEqual({ error: undefined });
    expect(capturedHandlerError({})).toBeUndefined();
  });

  it('lets an HTTP request’s error go on to the exception filters', async () => {
    const err = new Error('boom');
    await expect(
      lastValueFrom(interceptor.intercept(contextOf('http', {}), failing(err))),
    ).rejects.toBe(err);
  });
});
