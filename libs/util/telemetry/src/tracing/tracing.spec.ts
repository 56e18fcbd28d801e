import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { logFields, withLogScope } from '../logging/log-context';
import { batchParent, contextFromHeaders, traceHeaders } from './message-headers';
import { startTracing, stopTracing, tracer, tracingEnabled, withSpan } from './tracing';

describe('tracing off (the default)', () => {
  it('writes no trace headers and log lines carry only the tenant', async () => {
    expect(tracingEnabled()).toBe(false);
    await withSpan('noop', {}, async () => {
      expect(traceHeaders()).toEqual({});
      expect(withLogScope({ tenant: () => 'acme' }, () => logFields())).toEqual({ tenant: 'acme' });
    });
  });
});

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => startTracing({ serviceName: 'test', exporter }));
  afterAll(() => stopTracing());
  const finished = (name: string) => {
    const span = exporter.getFinishedSpans().find((s) => s.name === name);
    if (!span) throw new Error(`no finished span ${name}`);
    return span;
  };

  it('carries the trace context through message headers, as Kafka messages do', async () => {
    let headers: Record<string, string> = {};
    await withSpan('send', {}, async () => {
      headers = traceHeaders();
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // kafkajs hands headers back as buffers.
    const received = contextFromHeaders({ traceparent: Buffer.from(headers.traceparent) });
    const child = tracer().startSpan('process', {}, received);
    child.end();
    const [send] = exporter.getFinishedSpans().filter((s) => s.name === 'send');
    expect(child.spanContext().traceId).toBe(send.spanContext().traceId);
  });

  it('a batch continues its first message trace and links the others', async () => {
    const contexts: Record<string, string>[] = [];
    for (const name of ['a', 'b'])
      await withSpan(name, {}, async () => void contexts.push(traceHeaders()));
    const { parent, links } = batchParent([contexts[0], undefined, contexts[1], contexts[0]]);
    const [a, b] = ['a', 'b'].map((n) => finished(n));
    expect(trace.getSpanContext(parent)?.spanId).toBe(a.spanContext().spanId);
    expect(links.map((l) => l.context.spanId)).toEqual([b.spanContext().spanId]);
  });

  it('log lines carry the active trace and span ids with the tenant', async () => {
    await withSpan('work', {}, async (span) => {
      const fields = withLogScope({ tenant: () => 'acme' }, () => logFields());
      expect(fields).toEqual({
        trace_id: span.spanContext().traceId,
        span_id: span.spanContext().spanId,
        tenant: 'acme',
      });
    });
    expect(context.active()).toBeDefined();
  });

  it('marks a span failed when its work throws, and rethrows', async () => {
    await expect(
      withSpan('fails', {}, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const failed = finished('fails');
    expect(failed.status).toEqual({ code: 2, message: 'boom' });
  });
});
