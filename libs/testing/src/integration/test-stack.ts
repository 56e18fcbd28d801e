import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';

/** Where global-setup found Kafka and MongoDB. */
export function stackEnv(): { kafkaBrokers: string; mongoUrl: string } {
  const kafkaBrokers = process.env.KAFKA_BROKERS;
  const mongoUrl = process.env.MONGO_URL;
  if (!kafkaBrokers || !mongoUrl) {
    throw new Error(
      'KAFKA_BROKERS / MONGO_URL are not set: run integration tests with jest.int.config.js',
    );
  }
  return { kafkaBrokers, mongoUrl };
}

/** A fresh name, so each test file gets its own database and consumer group. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Environment for a service under test: the found stack, an own database and group, port 0. */
export function serviceEnv(
  name: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const { kafkaBrokers, mongoUrl } = stackEnv();
  return {
    KAFKA_BROKERS: kafkaBrokers,
    MONGO_URL: mongoUrl,
    MONGO_DB: uniqueName(`test_${name}`).replace(/-/g, '_'),
    KAFKA_GROUP_ID: uniqueName(`test-${name}`),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    ...extra,
  };
}

/** A plain kafkajs client for tests that produce or consume directly. */
export function testKafka(clientId = 'reverie-tests'): Kafka {
  return new Kafka({
    clientId,
    brokers: stackEnv().kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** The base URL of a started Nest app (listening on port 0). */
export async function baseUrl(app: INestApplication): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/**
 * Commits `groupId`'s offsets at the current end of `topic`, so a new test consumer group skips
 * what earlier tests (or benchmarks) left on a long-lived broker instead of replaying it all.
 * Services keep their real behaviour (a new group starts from the earliest offset). Also returns
 * those end offsets so a test can rewind to them later.
 */
export async function startGroupAtEnd(groupId: string, topic: string) {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const ends = (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({
      partition,
      offset: high,
    }));
    await admin.setOffsets({ groupId, topic, partitions: ends });
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** What `tapTopic` read: the kept values in the order read. */
export interface TopicTap<T> {
  messages: T[];
  stop(): Promise<void>;
}

/**
 * A test's reader of `topic` from its current end: the JSON value of every message that `keep`
 * accepts (a spec keeps its own tenant's), in the order read. Creates the topic first when no
 * service has yet (a fresh broker runs with auto-create off).
 */
export async function tapTopic<T = unknown>(
  topic: string,
  keep: (value: T, key: string) => boolean,
): Promise<TopicTap<T>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic))
      await admin
        .createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
        .catch(() => undefined); // created meanwhile by a service: fine
  } finally {
    await admin.disconnect();
  }
  const groupId = uniqueName('tap');
  await startGroupAtEnd(groupId, topic);
  const consumer = testKafka().consumer({ groupId, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: T[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = JSON.parse(message.value?.toString() ?? 'null') as T;
      if (value !== null && keep(value, message.key?.toString() ?? '')) messages.push(value);
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}
