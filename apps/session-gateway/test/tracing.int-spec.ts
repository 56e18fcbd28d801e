import { TOPICS } from '@reverie/contracts';
import { startTracing, stopTracing } from '@reverie/telemetry';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { anAgentWithSession, startGateway, type RunningGateway } from './gateway.harness';

const PROCESS_SESSION_EVENTS = `process ${TOPICS.sessionEvents}`;
const SEND_SESSION_EVENTS = `send ${TOPICS.sessionEvents}`;

/** The span's parent span id (sdk-trace 2.x: `parentSpanContext`). */
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

describe('tracing: one trace from the HTTP request to the MongoDB write (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let gateway: RunningGateway;
  let api: ApiClient;

  beforeAll(async () => {
    // Before the service starts, as runService does: the platform then wires MongoDB spans.
    startTracing({ serviceName: 'session-gateway', exporter });
    gateway = await startGateway();
    api = await gateway.tenant();
  });
  afterAll(async () => {
    await gateway?.close();
    await stopTracing();
  });

  const spans = () => exporter.getFinishedSpans();

  it('follows one event: gateway HTTP span -> Kafka send -> ingest consumer -> MongoDB write', async () => {
    const { sessionId } = await anAgentWithSession(api);
    // Wait until session.started is stored, so the event's message is a batch of its own (a batch
    // continues its first message's trace and links the others').
    await expectEventually(() =>
      expect(
        spans().some(
          (s) =>
            s.name === PROCESS_SESSION_EVENTS &&
            s.attributes['messaging.consumer.group.name'] === gateway.config.kafka.groupId,
        ),
      ).toBe(true),
    );

    const sent = await api.post(`/v1/sessions/${sessionId}/events`, {
      events: [
        { clientEventId: 'traced-1', type: 'observation', step: 1, data: { altitude: 1500 } },
      ],
    });
    expect(sent.status).toBe(202);

    const http = await expectEventually(() => {
      const found = spans().find((s) => s.name === 'POST /v1/sessions/:id/events');
      expect(found).toBeDefined();
      return found as ReadableSpan;
    });
    expect(http.attributes['http.response.status_code']).toBe(202);
    expect(http.attributes['http.route']).toBe('/v1/sessions/:id/events');
    const traceId = traceOf(http);

    // The whole path, in that one trace: each step a child of the one before.
    const trace = await expectEventually(() => {
      const inTrace = spans().filter((s) => traceOf(s) === traceId);
      const send = inTrace.find((s) => s.name === SEND_SESSION_EVENTS);
      const consume = inTrace.find((s) => s.name === PROCESS_SESSION_EVENTS);
      const writes = inTrace.filter(
        (s) => s.name.startsWith('mongodb.') && consume && parentOf(s) === idOf(consume),
      );
      expect({ send: !!send, consume: !!consume, writes: writes.length > 0 }).toEqual({
        send: true,
        consume: true,
        writes: true,
      });
      return { send: send!, consume: consume!, writes };
    });
    expect(parentOf(trace.send)).toBe(idOf(http));
    expect(parentOf(trace.consume)).toBe(idOf(trace.send));
    expect(trace.consume.attributes['messaging.destination.name']).toBe(TOPICS.sessionEvents);
    // The event itself is written under the consumer span (a new page of the session: insert).
    expect(trace.writes.map((w) => w.attributes['db.operation.name'])).toContain('insert');
    expect(trace.writes.every((w) => w.attributes['db.system.name'] === 'mongodb')).toBe(true);
    // Probes are counted in /metrics but never traced.
    const probe = await fetch(
      `${(await gateway.app.getUrl()).replace('[::1]', '127.0.0.1')}/health/live`,
    );
    expect(probe.status).toBe(200);
    expect(
      spans().some((s) => String(s.attributes['http.route'] ?? '').startsWith('/health')),
    ).toBe(false);
  });
});
