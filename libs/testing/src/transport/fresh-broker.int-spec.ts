// Start-up on a just-formatted broker (@reverie/kafka's ensureTopics). It lives in the testing lib
// for the reason given in kafka-batch.server.int-spec.ts.
import { TOPICS } from '@reverie/contracts';
import { createKafka, ensureTopics, type TopicSpec } from '@reverie/kafka';
import type { Admin } from 'kafkajs';
import { startPrivateStack, uniqueName, type PrivateStack } from '../integration';

/** The topics each service asks for at start, overlapping as the four apps' lists do. */
const SERVICES: Record<string, TopicSpec[]> = {
  gateway: [
    { topic: TOPICS.sessionEvents, withDeadLetter: true },
    { topic: TOPICS.runCommands },
    { topic: TOPICS.playbookVersions, config: { 'cleanup.policy': 'compact' } },
    { topic: TOPICS.outcomeCommands },
    { topic: TOPICS.dreamCommands },
  ],
  orchestrator: [
    { topic: TOPICS.runCommands, withDeadLetter: true },
    { topic: TOPICS.sessionEvents },
    { topic: TOPICS.playbookVersions, config: { 'cleanup.policy': 'compact' } },
  ],
  grader: [
    { topic: TOPICS.sessionEvents, withDeadLetter: true },
    { topic: TOPICS.outcomeCommands, withDeadLetter: true },
  ],
  dreamer: [
    { topic: TOPICS.dreamCommands, withDeadLetter: true },
    { topic: TOPICS.playbookVersions, withDeadLetter: true },
  ],
};

/**
 * Four services starting together on a fresh KRaft broker: each creates the topics it needs
 * (some created by another a moment before) and right away does what a service does at boot:
 * reads a topic's offsets (the orchestrator's playbook catalog) and subscribes a consumer. Before
 * ensureTopics waited for leaders, these failed with "This server does not host this
 * topic-partition" or "...is not the leader for that topic-partition" and the service exited.
 */
describe('services starting together on a fresh broker', () => {
  let stack: PrivateStack;
  const admins: Admin[] = [];

  beforeAll(async () => {
    stack = await startPrivateStack({ mongoBackend: 'memory' });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(admins.map((a) => a.disconnect().catch(() => undefined)));
    await stack?.down();
  }, 120_000);

  it('all start: ensureTopics waits until every topic has a leader that answers', async () => {
    const waits: string[] = [];
    const boot = async (service: string, specs: TopicSpec[]) => {
      const kafka = createKafka({ brokers: [stack.kafkaBrokers], clientId: service });
      const admin = kafka.admin();
      admins.push(admin);
      await admin.connect();
      await ensureTopics(
        admin,
        specs,
        { partitions: 3, replicationFactor: 1 },
        { log: (line) => waits.push(`${service}: ${line}`) },
      );
      for (const { topic } of specs) await admin.fetchTopicOffsets(topic);
      const consumer = kafka.consumer({
        groupId: uniqueName(service),
        allowAutoTopicCreation: false,
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: specs.map((s) => s.topic), fromBeginning: true });
      } finally {
        await consumer.disconnect();
      }
      return service;
    };
    const started = await Promise.allSettled(
      Object.entries(SERVICES).map(([service, specs]) => boot(service, specs)),
    );
    expect(started.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason)))).toEqual(
      Object.keys(SERVICES),
    );
    // Whatever it waited for, it said so (the log lines of a start that had to wait).
    for (const line of waits) expect(line).toMatch(/: waiting for the leaders of Kafka topics /);
  }, 120_000);
});
