import { deadLetterTopic, eventAppended, TOPICS, type TopicName } from '@reverie/contracts';
import { expectEventually, someEvents, type ApiClient } from '@reverie/testing';
import {
  startPrivateStack,
  testKafka,
  uniqueName,
  type PrivateStack,
} from '@reverie/testing/integration';
import { setTimeout as delay } from 'node:timers/promises';
import {
  anAgentWithSession,
  startGateway,
  tapTopic,
  type RunningGateway,
} from '../gateway.harness';
import { expectStoredExactlyOnce, inBatches, RetryingSender } from './faults.harness';

/** How long MongoDB stays down: the outage issue 14 saw stop event storage for good. */
const OUTAGE_MS = 60_000;

/**
 * MongoDB down for a minute, then back, while a client keeps sending and another producer keeps
 * writing to the session topic: storage resumes and every accepted event is stored once.
 *
 * On the code before issue 14 this fails: the first insert during the outage threw, the retries
 * failed in the HTTP error filter ("response.status is not a function"), kafkajs stopped the
 * consumer for good (KafkaJSNonRetriableError), and nothing sent after the outage was ever
 * stored (`missing` > 0 below). With retries bounded by count instead of by the outage (the
 * first transport of that issue), the messages in flight were dead-lettered instead: lost too.
 */
describe('fault: MongoDB down 60 s, then back', () => {
  // An own MongoDB with the persistent (H2) backend, as deployed; the shared Kafka broker.
  let stack: PrivateStack;
  let gateway: RunningGateway;
  let api: ApiClient;
  const tenantId = uniqueName('tenant');

  beforeAll(async () => {
    stack = await startPrivateStack({ kafka: false, mongoBackend: 'h2' });
    gateway = await startGateway({ MONGO_URL: stack.mongoUrl });
    api = await gateway.tenant(tenantId);
  }, 240_000);

  afterAll(async () => {
    await gateway?.close().catch(() => undefined);
    await stack?.down();
  }, 120_000);

  it('stores every event accepted before, during and after the outage exactly once, seq gap-free', async () => {
    const { agentId, sessionId } = await anAgentWithSession(api);
    const deadLetters = await tapTopic(deadLetterTopic(TOPICS.sessionEvents) as TopicName);
    const sender = new RetryingSender(api.baseUrl, api.apiKey ?? '');
    const clientEvents = someEvents(1_200, 'client');
    const sending = sender.sendAll(sessionId, inBatches(clientEvents, 25));
    // Messages that reach the topic while MongoDB is down, without the gateway (a direct
    // producer, or batches the gateway accepted just before): the consumer has to wait them out.
    const direct = someEvents(100, 'direct');
    const producer = testKafka().producer();
    await producer.connect();
    try {
      await expectEventually(() => expect(sender.log.accepted.length).toBeGreaterThan(100), {
        timeoutMs: 60_000,
      });

      await stack.stop('mongo');
      const downSince = Date.now();
      try {
        const at = new Date().toISOString();
        await producer.send({
          topic: TOPICS.sessionEvents,
          messages: direct.map((e) => ({
            key: sessionId,
            value: JSON.stringify(eventAppended({ tenantId, agentId, sessionId }, e, at)),
          })),
        });
        // The client is told to come back later, not left hanging.
        await expectEventually(() => expect(sender.log.refusals).toContain('503'), {
          timeoutMs: 30_000,
        });
        const ready = await fetch(`${api.baseUrl}/health/ready`);
        expect(ready.status).toBe(503);
        // The outage lasts as long as the issue's; nothing is waited for here.
        await delay(Math.max(0, OUTAGE_MS - (Date.now() - downSince)));
      } finally {
        await stack.start('mongo');
      }

      await sending;

      const expected = [...sender.log.accepted, ...direct.map((e) => e.clientEventId)];
      expect(new Set(sender.log.accepted).size).toBe(clientEvents.length);
      await expectStoredExactlyOnce(api, sessionId, expected, 120_000);
      expect(deadLetters.forSession(sessionId)).toEqual([]);
    } finally {
      await producer.disconnect();
      await deadLetters.close();
    }
  }, 360_000);
});
