import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';

const CAPTURED = Symbol('reverie.kafka.handler-error');

/** A batch object the transport hands to a handler, with room for the error it threw. */
interface CapturingBatch {
  [CAPTURED]?: unknown;
}

/** The error the handler of `batch` threw, as it threw it (before any exception filter). */
export function capturedHandlerError(batch: object): unknown {
  return (batch as CapturingBatch)[CAPTURED];
}

/** Forgets the captured error before the batch is handled again. */
export function clearHandlerError(batch: object): void {
  delete (batch as CapturingBatch)[CAPTURED];
}

/**
 * Keeps the error a Kafka handler threw on its batch, for the transport. Nest hands a handler's
 * error to exception filters before the transport sees it, and the stock RPC filter replaces it
 * with `{ status: 'error', message: 'Internal server error' }`; the transport needs the real one to
 * tell a permanent failure (dead-letter now) from a transient one (retry). HTTP requests pass
 * through untouched. Registered globally by `KafkaModule`.
 */
@Injectable()
export class HandlerErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const batch = context.switchToRpc().getData<unknown>();
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (batch !== null && typeof batch === 'object') (batch as CapturingBatch)[CAPTURED] = err;
        return throwError(() => err);
      }),
    );
  }
}
