import type { IncomingMessage, ServerResponse } from 'node:http';
import { RETRY_AFTER_SECONDS } from '@reverie/kafka';

/**
 * Every 503 this service sends carries `Retry-After` (seconds), whichever layer produced it (an
 * exception filter, readiness, a guard that could not reach MongoDB), so clients and load
 * balancers back off instead of hammering a service whose dependency is down. Set just before
 * the headers go out, so it applies to the final status.
 */
export function retryAfterOnUnavailable(seconds = RETRY_AFTER_SECONDS) {
  return (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const writeHead = res.writeHead;
    // writeHead has several overloads; the arguments are passed through unchanged.
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const status = typeof args[0] === 'number' ? args[0] : this.statusCode;
      if (status === 503 && !this.hasHeader('retry-after')) {
        this.setHeader('Retry-After', String(seconds));
      }
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    next();
  };
}
