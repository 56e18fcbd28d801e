import { TOPICS, type ApiKeyRevoked } from '@reverie/contracts';
import type { Producer } from 'kafkajs';
import { EventPublisher, KafkaUnavailableError } from './event-publisher';

/** A producer whose send does what `send` says; the contract check runs for real. */
const producerThat = (send: () => Promise<unknown>) => ({ send }) as unknown as Producer;

const revoked: ApiKeyRevoked = {
  id: 'evt_1',
  type: 'api_key.revoked',
  tenantId: 't1',
  agentId: 'key_0123456789abcdef',
  occurredAt: new Date(0).toISOString(),
  schemaVersion: 1,
  payload: { keyId: '0123456789abcdef', revokedAt: new Date(0).toISOString() },
};

describe('EventPublisher', () => {
  const publish = (publisher: EventPublisher) =>
    publisher.publish(TOPICS.apiKeyRevocations, [revoked]);

  it('gives up after its deadline with a 503 that asks the caller to retry', async () => {
    const publisher = new EventPublisher(
      producerThat(() => new Promise(() => undefined)),
      50,
    );
    const error = await publish(publisher).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as KafkaUnavailableError).getStatus()).toBe(503);
    expect((error as Error).message).toMatch(
      /Kafka is unavailable.*no acknowledgement within 50 ms.*retry in/,
    );
  });

  it('gives the same refusal other advice for a route that knows what a safe retry is', () => {
    const advised = new KafkaUnavailableError('t', 'no acknowledgement within 50 ms').advise(
      'retry with the same Idempotency-Key',
    );
    expect(advised).toBeInstanceOf(KafkaUnavailableError);
    expect(advised.getStatus()).toBe(503);
    expect(advised).toMatchObject({ topic: 't', code: 'overloaded_error', retryAfterSeconds: 5 });
    expect(advised.message).toBe(
      'Kafka is unavailable: publishing to t failed (no acknowledgement within 50 ms); retry with the same Idempotency-Key',
    );
  });

  it('reports a broker that cannot be reached as unavailable', async () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
    });
    const publisher = new EventPublisher(
      producerThat(() => Promise.reject(refused)),
      1_000,
    );
    await expect(publish(publisher)).rejects.toBeInstanceOf(KafkaUnavailableError);
  });

  it('leaves a refusal of the message itself as it is: resending would not help', async () => {
    const tooLarge = Object.assign(
      new Error('The request included a message larger than the max'),
      {
        name: 'KafkaJSProtocolError',
        retriable: false,
      },
    );
    const publisher = new EventPublisher(
      producerThat(() => Promise.reject(tooLarge)),
      1_000,
    );
    await expect(publish(publisher)).rejects.toBe(tooLarge);
  });
});
