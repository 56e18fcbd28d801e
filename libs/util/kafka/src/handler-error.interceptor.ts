import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, of, type Observable } from 'rxjs';

const CAPTURED = Symbol('reverie.kafka.handler-error');

/** A batch object the transport hands to a handler, with room for the error it threw. */
interface CapturingBatch {
  [CAPTURED]?: unknown;
}

/** Whether the handler of `batch` threw, and what, as it threw it (no exception filter saw it). */
export function capturedHandlerError(batch: object): { error: unknown } | undefined {
  return CAPTURED in batch ? { error: (batch as CapturingBatch)[CAPTURED] } : undefined;
}

/** Forgets the captured error before the batch is handled again. */
export function clearHandlerError(batch: object): void {
  delete (batch as CapturingBatch)[CAPTURED];
}

/**
 * Keeps the error a Kafka handler threw on its batch, for the transport, and no exception filter
 * sees it. Nest hands a handler's error to exception filters before the transport sees it: the
 * stock RPC filter replaces it with `{ status: 'error', message: 'Internal server error' }` and
 * logs it at error level with its stack, even when the transport then retries it as the expected
 * race it is (an ended session not stored yet). The transport needs the real error to tell a
 * permanent failure (dead-letter now) from a transient one (retry), and logs each failure once,
 * with its attempt and what it does next. HTTP requests pass through untouched. Registered
 * globally by `KafkaModule`.
 */
@Injectable()
export class HandlerErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const batch = context.switchToRpc().getData<unknown>();
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (batch === null || typeof batch !== 'object') throw err;
        (batch as CapturingBatch)[CAPTURED] = err;
        return of(undefined);
      }),
    );
  }
}
