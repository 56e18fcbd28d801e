import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withLogScope } from '../logging/log-context';
import type { ReverieMetrics } from '../metrics/reverie-metrics';
import { tracer } from '../tracing/tracing';

/** What Express and the API key guard leave on a request. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: string };
  baseUrl?: string;
  tenantId?: string;
}

/** Probes and scrapes: counted, never traced (they would bury the traces that matter). */
const UNTRACED = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Express middleware, first in the chain: per request, a server span continuing the caller's W3C
 * trace context (`traceparent`), the log scope (the tenant, once the API key guard knows it), and
 * on finish the request counter and latency histogram, labelled by route template (`unmatched`
 * for paths no route serves, so scanners cannot add series).
 */
export function httpTelemetry(metrics: ReverieMetrics) {
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const traced = !UNTRACED.test(req.url ?? '');
    const parent = traced ? propagation.extract(context.active(), req.headers) : context.active();
    const span = traced
      ? tracer().startSpan(
          `${method} ${req.url?.split('?')[0] ?? ''}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
          parent,
        )
      : undefined;
    let recorded = false;
    // 'finish' when the answer went out; 'close' also when the client went away before it,
    // which is counted as 499 (nginx's "client closed request").
    const record = () => {
      if (recorded) return;
      recorded = true;
      const route = routeOf(req);
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.httpRequest(method, route, status, Number(process.hrtime.bigint() - started) / 1e9);
      if (!span) return;
      span.updateName(`${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (req.tenantId) span.setAttribute('reverie.tenant', req.tenantId);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', record);
    res.once('close', record);
    const active = span ? trace.setSpan(parent, span) : parent;
    withLogScope({ tenant: () => req.tenantId }, () => context.with(active, next));
  };
}

function routeOf(req: RoutedRequest): string {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}
