import {
  deadLetterTopic,
  DLQ_HEADERS,
  encodeEventsAppended,
  eventAppended,
  sessionEventId,
  TOPICS,
} from '@reverie/contracts';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { testKafka, uniqueName } from '@reverie/testing/integration';
import type { Producer } from 'kafkajs';
import {
  anAgentWithSession,
  expectApiError,
  readAllEvents,
  startGateway,
  tapTopic,
  type RunningGateway,
} from './gateway.harness';

/** `{"a":{"a":...1...}}`, `levels` objects deep, as raw JSON (JSON.stringify would overflow). */
const nestedJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const eventsBody = (data: string, clientEventId = 'poison') =>
  `{"events":[{"clientEventId":"${clientEventId}","type":"observation","data":${data}}]}`;

/**
 * One tenant's poison cannot stop storage for everyone: what MongoDB would refuse is a 400 at
 * the door, the same sent straight to Kafka is dead-lettered with its reason, and another
 * tenant's events sent afterwards are stored.
 */
describe('poison events', () => {
  let gateway: RunningGateway;
  let tenantA: ApiClient;
  let tenantB: ApiClient;
  let producer: Producer;
  let dlq: Awaited<ReturnType<typeof tapTopic>>;
  const tenantAId = uniqueName('tenant_a');

  beforeAll(async () => {
    gateway = await startGateway();
    [tenantA, tenantB] = await Promise.all([gateway.tenant(tenantAId), gateway.tenant()]);
    dlq = await tapTopic(deadLetterTopic(TOPICS.sessionEvents) as never);
    producer = testKafka().producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await dlq.close();
    await gateway.close();
  });

  it('answers 400 for a NUL byte in a key and for deep nesting, naming where', async () => {
    const { sessionId } = await anAgentWithSession(tenantA);
    const post = (rawBody: string) =>
      tenantA.request('POST', `/v1/sessions/${sessionId}/events`, undefined, { rawBody });

    const nul = await post(eventsBody('{"a\\u0000b":1}'));
    expectApiError(nul, 400, 'invalid_request_error', /events\[0\]\.data .*NUL byte/);
    expect(nul.body.error.details?.[0].path).toBe('events[0].data');

    for (const levels of [2_000, 5_000, 10_000]) {
      expectApiError(
        await post(eventsBody(nestedJson(levels))),
        400,
        'invalid_request_error',
        /events\[0\]\.data\.a.* is nested more than 64 levels deep/,
      );
    }
    // Metadata is stored too: the same rule holds there.
    expectApiError(
      await tenantA.request('POST', '/v1/sessions', undefined, {
        rawBody: `{"agentId":"x","metadata":{"ok":{"\\u0000":1}}}`,
      }),
      400,
      'invalid_request_error',
      /metadata\.ok .*NUL byte/,
    );
    // Nothing was accepted.
    expect(await readAllEvents(tenantA, sessionId)).toEqual([]);
  });

  it('dead-letters poison sent straight to Kafka with its reason, and stores the next tenant', async () => {
    const a = await anAgentWithSession(tenantA);
    const to = { tenantId: tenantAId, agentId: a.agentId, sessionId: a.sessionId };
    const message = (clientEventId: string, data: string) =>
      JSON.stringify(
        eventAppended(
          to,
          { clientEventId, type: 'observation', data: { placeholder: true } },
          new Date().toISOString(),
        ),
      ).replace('{"placeholder":true}', data);
    // Several events in one message: one poisoned event parks the whole message, none stored.
    const at = new Date().toISOString();
    const several = encodeEventsAppended(
      to,
      uniqueName('msg'),
      at,
      ['several-ok', 'several-nul'].map((clientEventId) => {
        const event = { clientEventId, type: 'observation' as const, data: { placeholder: true } };
        const json = JSON.stringify(event);
        return { id: sessionEventId(tenantAId, a.sessionId, clientEventId), event, json, bytes: 0 };
      }),
    ).value.replace(/\{"placeholder":true\}(?!.*placeholder)/, '{"a\\u0000b":1}');
    await producer.send({
      topic: TOPICS.sessionEvents,
      messages: [
        { key: a.sessionId, value: message('nul', '{"a\\u0000b":1}') },
        { key: a.sessionId, value: message('deep', nestedJson(2_000)) },
        { key: a.sessionId, value: several },
      ],
    });

    const b = await anAgentWithSession(tenantB);
    const posted = await tenantB.post(`/v1/sessions/${b.sessionId}/events`, {
      events: [
        { clientEventId: 'b-1', type: 'observation', data: { ok: 1 } },
        { clientEventId: 'b-2', type: 'observation', data: { ok: 2 } },
      ],
    });
    expect(posted.status).toBe(202);

    await expectEventually(async () =>
      expect((await readAllEvents(tenantB, b.sessionId)).map((e) => e.clientEventId)).toEqual([
        'b-1',
        'b-2',
      ]),
    );
    const parked = await expectEventually(() => {
      const found = dlq.messages.filter(
        (m) =>
          m.key === a.sessionId &&
          m.headers[DLQ_HEADERS.consumerGroup] === gateway.config.kafka.groupId,
      );
      expect(found).toHaveLength(3);
      return found;
    });
    expect(parked.map((m) => m.headers[DLQ_HEADERS.reason])).toEqual([
      expect.stringMatching(/payload\.event\.data has the key .* NUL byte/),
      expect.stringMatching(/nested more than \d+ levels deep/),
      expect.stringMatching(/payload\.events\[1\]\.event\.data has the key .* NUL byte/),
    ]);
    expect(parked[2].value).toEqual(JSON.parse(several));
    expect(await readAllEvents(tenantA, a.sessionId)).toEqual([]);
  });

  it('stores a batch larger than a Kafka message may be, in order', async () => {
    const { sessionId } = await anAgentWithSession(tenantA);
    // Five events of 240 KB: each within the event limit, 1.2 MB together (the broker takes 1 MB).
    const events = Array.from({ length: 5 }, (_, i) => ({
      clientEventId: `big-${i}`,
      type: 'observation',
      data: { blob: String(i).repeat(240_000) },
    }));
    const response = await tenantA.post(`/v1/sessions/${sessionId}/events`, { events });
    expect(response.status).toBe(202);
    const stored = await expectEventually(async () => {
      const all = await readAllEvents(tenantA, sessionId, 2);
      expect(all).toHaveLength(5);
      return all;
    });
    expect(stored.map((e) => [e.seq, e.clientEventId])).toEqual(
      events.map((e, i) => [i + 1, e.clientEventId]),
    );
  });
});
