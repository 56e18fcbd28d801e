import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { TOPICS } from '@reverie/contracts';
import { startTracing, stopTracing } from '@reverie/telemetry';
import { anAgent, expectEventually, type ApiClient, type Json } from '@reverie/testing';
// The real gateway (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
import { startDreamer, type RunningDreamer } from './dreamer.harness';

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

describe("tracing: a dream's trace from its HTTP request to what it writes and announces", () => {
  const exporter = new InMemorySpanExporter();
  let gateway: RunningGateway;
  let dreamer: RunningDreamer;
  let api: ApiClient;

  beforeAll(async () => {
    startTracing({ serviceName: 'reverie-tests', exporter });
    gateway = await startGateway();
    dreamer = await startDreamer(gateway.config.mongo.db, { DREAM_SWEEP_MS: '3600000' });
    api = await gateway.tenant();
  }, 120_000);
  afterAll(async () => {
    await dreamer?.close();
    await gateway?.close();
    await stopTracing();
  });

  it('POST /v1/dreams -> dream.requested -> the dreamer consumer -> the dream run -> its writes and dream.ended', async () => {
    const agent = await api.post('/v1/agents', anAgent());
    expect(agent.status).toBe(201);
    const requested = await api.post('/v1/dreams', { agent_id: agent.body.id });
    expect(requested.status).toBe(201);
    const dream: Json = await expectEventually(async () => {
      const d = (await api.get(`/v1/dreams/${requested.body.id}`)).body;
      if (d.status !== 'completed') throw new Error(`dream is ${d.status}`);
      return d;
    });
    expect(dream.sessions_reviewed).toBe(0);

    const spans = () => exporter.getFinishedSpans();
    const http = spans().find((s) => s.name === 'POST /v1/dreams');
    expect(http).toBeDefined();
    const chain = await expectEventually(() => {
      const inTrace = spans().filter((s) => traceOf(s) === traceOf(http!));
      const send = inTrace.find((s) => s.name === `send ${TOPICS.dreamCommands}`);
      const consume = inTrace.find(
        (s) =>
          s.name === `process ${TOPICS.dreamCommands}` &&
          s.attributes['messaging.consumer.group.name'] === dreamer.config.kafka.groupId,
      );
      const run = inTrace.find((s) => s.name === 'dream run');
      const announced = inTrace.find((s) => s.name === `send ${TOPICS.dreams}`);
      expect({ send: !!send, consume: !!consume, run: !!run, announced: !!announced }).toEqual({
        send: true,
        consume: true,
        run: true,
        announced: true,
      });
      return { send: send!, consume: consume!, run: run!, announced: announced!, inTrace };
    });
    expect(parentOf(chain.send)).toBe(idOf(http!));
    expect(parentOf(chain.consume)).toBe(idOf(chain.send));
    expect(parentOf(chain.run)).toBe(idOf(chain.consume));
    expect(chain.run.attributes['reverie.dream.id']).toBe(dream.id);
    // The dream's own MongoDB writes (claim, stages, finish) and its announcement are in the run.
    const writes = chain.inTrace.filter(
      (s) => s.name.startsWith('mongodb.') && parentOf(s) === idOf(chain.run),
    );
    expect(writes.length).toBeGreaterThan(0);
    expect(parentOf(chain.announced)).toBe(idOf(chain.run));
  });
});
