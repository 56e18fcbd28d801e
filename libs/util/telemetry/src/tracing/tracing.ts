import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';

/** The instrumentation scope of every Reverie span. */
export const TRACER_NAME = 'reverie';

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP traces URL (production). */
  url?: string;
  /** An exporter of the caller's own (tests: an `InMemorySpanExporter`), exported span by span. */
  exporter?: SpanExporter;
  /** Share of new traces recorded (default 1). */
  sampleRatio?: number;
}

let provider: NodeTracerProvider | undefined;

/**
 * Turns tracing on for this process: a tracer provider with the W3C trace-context propagator and
 * an AsyncLocalStorage context manager, exporting to `url` (batched) or to `exporter`. Until this
 * runs every span is OpenTelemetry's no-op, which costs a function call. Once per process (the
 * API's globals are process-wide); a second call keeps the first provider and returns false.
 */
export function startTracing(options: TracingOptions): boolean {
  if (provider) return false;
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: options.url }));
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1),
    }),
    spanProcessors: [processor],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

/** True once `startTracing` ran: MongoDB command spans are only wired then. */
export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/** Exports the spans still buffered (shutdown). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** Stops tracing and unregisters the globals (tests that start it themselves). */
export async function stopTracing(): Promise<void> {
  const p = provider;
  provider = undefined;
  if (!p) return;
  await p.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The trace and span id of the active span, when one is recorded. */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const ctx = span.spanContext();
  return trace.isSpanContextValid(ctx) ? { traceId: ctx.traceId, spanId: ctx.spanId } : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** Parent context (default: the active one). */
  parent?: Context;
}

/**
 * Runs `fn` inside a new active span that ends when `fn` settles; a thrown error marks the span
 * failed and is rethrown unchanged.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes: options.attributes,
      links: options.links,
    },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

export { ROOT_CONTEXT, SpanKind };
