import {
  context,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Link,
} from '@opentelemetry/api';

/** Kafka-style headers: values as strings or buffers (kafkajs gives buffers back). */
export type MessageHeaders = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

const getter = {
  keys: (carrier: MessageHeaders) => Object.keys(carrier),
  get: (carrier: MessageHeaders, key: string) => {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/**
 * The W3C trace context (`traceparent`, `tracestate`) of the active span, as message headers.
 * Empty while tracing is off (the no-op propagator writes nothing).
 */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(from, headers);
  return headers;
}

/** The context a message's headers carry (the root context when they carry none). */
export function contextFromHeaders(headers: MessageHeaders | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, getter) : ROOT_CONTEXT;
}

/**
 * Parent and links of a span that handles several messages at once: the batch continues the
 * trace of its first traced message, and links the others' (distinct) traces, so each message's
 * trace leads to the batch that stored it.
 */
export function batchParent(all: (MessageHeaders | undefined)[]): {
  parent: Context;
  links: Link[];
} {
  const seen = new Set<string>();
  let parent: Context = ROOT_CONTEXT;
  const links: Link[] = [];
  for (const headers of all) {
    const ctx = contextFromHeaders(headers);
    const span = trace.getSpanContext(ctx);
    if (!span || !trace.isSpanContextValid(span) || seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    if (seen.size === 1) parent = ctx;
    else links.push({ context: span });
  }
  return { parent, links };
}
