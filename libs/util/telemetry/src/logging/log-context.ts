import { AsyncLocalStorage } from 'node:async_hooks';
import { activeSpanIds } from '../tracing/tracing';

/**
 * What a log line says about the work it belongs to, beyond the span: the tenant. Read lazily,
 * because an HTTP request learns its tenant from the API key guard after the context began.
 */
export interface LogScope {
  tenant: () => string | undefined;
}

const storage = new AsyncLocalStorage<LogScope>();

/** Runs `fn` with `scope` as the log scope of everything it calls, awaits included. */
export function withLogScope<T>(scope: LogScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The tenant of a batch of messages: theirs when they all share one, else none. */
export function tenantOfMessages(messages: readonly { tenantId?: string }[]): string | undefined {
  const tenants = new Set(messages.map((m) => m.tenantId));
  return tenants.size === 1 ? [...tenants][0] : undefined;
}

/**
 * The fields every log line carries: `trace_id` and `span_id` of the active span (while tracing
 * is on), and `tenant` of the request or batch being handled. Absent fields are left out, as for
 * lines written at start-up.
 */
export function logFields(): { trace_id?: string; span_id?: string; tenant?: string } {
  const ids = activeSpanIds();
  const tenant = storage.getStore()?.tenant();
  return {
    ...(ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {}),
    ...(tenant ? { tenant } : {}),
  };
}
