import { DLQ_HEADERS, deadLetterTopic, TOPICS } from '@reverie/contracts';
import { eventAppended } from '@reverie/sessions-domain';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { testKafka, uniqueName } from '@reverie/testing/integration';
import type { Consumer, Producer } from 'kafkajs';
import { anAgentWithSession, startGateway, type RunningGateway } from './gateway.harness';

describe('messages that break the contract go to the dead-letter topic', () => {
  let gateway: RunningGateway;
  let api: ApiClient;
  let producer: Producer;
  let dlqConsumer: Consumer;
  const tenantId = uniqueName('tenant');
  const deadLettered: { key: string; value: string; headers: Record<string, string> }[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    api = await gateway.tenant(tenantId);
    const kafka = testKafka();
    producer = kafka.producer();
    await producer.connect();
    dlqConsumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({
      topic: deadLetterTopic(TOPICS.sessionEvents),
      fromBeginning: true,
    });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        deadLettered.push({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        });
      },
    });
  });
  afterAll(async () => {
    await dlqConsumer.disconnect();
    await producer.disconnect();
    await gateway.close();
  });

  it('parks each bad message with its reason and keeps storing the good ones behind it', async () => {
    const { agentId, sessionId } = await anAgentWithSession(api);
    const good = (n: number) =>
      JSON.stringify(
        eventAppended(
          { tenantId, agentId, sessionId },
          { clientEventId: `good-${n}`, type: 'observation', data: { n } },
          new Date().toISOString(),
        ),
      );
    const notJson = '{"id": "broken';
    const wrongShape = JSON.stringify({
      id: 'x1',
      type: 'session.event_appended',
      tenantId,
      agentId,
      sessionId,
      schemaVersion: 1,
    });
    const unknownType = JSON.stringify({ ...JSON.parse(good(99)), type: 'session.exploded' });

    // All on the session's partition, bad ones in between good ones.
    await producer.send({
      topic: TOPICS.sessionEvents,
      messages: [good(1), notJson, good(2), wrongShape, unknownType, good(3)].map((value) => ({
        key: sessionId,
        value,
      })),
    });

    const stored = await expectEventually(async () => {
      const page = await api.get(`/v1/sessions/${sessionId}/events`);
      expect(page.body.data).toHaveLength(3);
      return page.body.data;
    });
    expect(
      stored.map((e: { clientEventId: string; seq: number }) => [e.seq, e.clientEventId]),
    ).toEqual([
      [1, 'good-1'],
      [2, 'good-2'],
      [3, 'good-3'],
    ]);

    const mine = await expectEventually(() => {
      const found = deadLettered.filter((m) => m.key === sessionId);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(mine.map((m) => m.value)).toEqual([notJson, wrongShape, unknownType]);
    expect(mine[0].headers[DLQ_HEADERS.reason]).toMatch(/value is not JSON/);
    expect(mine[1].headers[DLQ_HEADERS.reason]).toMatch(/occurredAt/);
    expect(mine[1].headers[DLQ_HEADERS.reason]).toMatch(/payload/);
    expect(mine[2].headers[DLQ_HEADERS.reason]).toMatch(/type/);
    for (const m of mine) {
      expect(m.headers[DLQ_HEADERS.originalTopic]).toBe(TOPICS.sessionEvents);
      expect(Number(m.headers[DLQ_HEADERS.originalOffset])).toBeGreaterThanOrEqual(0);
    }
  });
});
