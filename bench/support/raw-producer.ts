import { createKafka, createProducer } from '@reverie/kafka';
import type { Admin, Message, Producer } from 'kafkajs';
import type { BenchOptions } from './options';
import { runClients, toEnvelope, type ClientPlan } from './workload';

/** The bench's own topic: same partition count as the session topic, deleted afterwards. */
export async function createRawTopic(admin: Admin, options: BenchOptions, runId: string) {
  const topic = `reverie.bench.raw.${runId}`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: options.partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  return topic;
}

/**
 * A producer configured exactly like the gateway's (createProducer: one request in flight per
 * broker, default partitioner, no topic auto-creation), so the comparison is about the path, not
 * about producer settings.
 */
export async function connectRawProducer(options: BenchOptions): Promise<Producer> {
  const producer = createProducer(
    createKafka({ brokers: options.kafkaBrokers, clientId: 'reverie-bench-raw' }),
  );
  await producer.connect();
  return producer;
}

/**
 * Builds the same envelopes, key and headers the gateway's EventPublisher sends, serialised up
 * front: the raw run measures Kafka alone.
 */
export function prepareMessages(plans: ClientPlan[]): Message[][][] {
  const receivedAt = new Date().toISOString();
  return plans.map((plan) =>
    plan.map((batch) =>
      batch.events.map((event) => {
        const envelope = toEnvelope(batch.session, event, receivedAt);
        return {
          key: envelope.sessionId,
          value: JSON.stringify(envelope),
          headers: { 'reverie-type': envelope.type, 'reverie-schema-version': '1' },
        };
      }),
    ),
  );
}

/** Sends every batch with acks=-1; resolves when all are acknowledged. */
export async function produceAll(
  producer: Producer,
  topic: string,
  prepared: Message[][][],
  onAcked: (count: number) => void,
): Promise<void> {
  await runClients(prepared, async (messages) => {
    await producer.send({ topic, acks: -1, messages });
    onAcked(messages.length);
  });
}

/** Mean bytes per message value, to show both runs send the same payloads. */
export function meanEnvelopeBytes(plans: ClientPlan[]): number {
  const receivedAt = new Date().toISOString();
  let bytes = 0;
  let count = 0;
  for (const batch of plans.flat()) {
    for (const event of batch.events) {
      bytes += Buffer.byteLength(JSON.stringify(toEnvelope(batch.session, event, receivedAt)));
      count++;
    }
  }
  return count ? Math.round(bytes / count) : 0;
}
