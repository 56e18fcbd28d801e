/**
 * Part of `npm start` (scripts/demo.sh): the demo's services consume with their own consumer
 * groups (`reverie-demo-<service>`), so they never take messages meant for a developer's own
 * services on the same stack. A new group reads a topic from the beginning, which on a stack that
 * has seen tests or benchmarks means every message ever sent; this moves the demo groups to the
 * end of each topic that already exists, so the demo reads only what it sends itself.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 node -r @swc-node/register scripts/demo/skip-backlog.ts \
 *     reverie-demo-session-gateway ...
 *
 * Prints one line; expected failures end with one line on stderr and exit 1.
 */
import { TOPICS } from '@reverie/contracts';
import { Kafka, logLevel } from 'kafkajs';

class SkipError extends Error {}

async function main(): Promise<string> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').filter(Boolean);
  const groups = process.argv.slice(2);
  const admin = new Kafka({
    clientId: 'reverie-demo',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
    retry: { retries: 2 },
  }).admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new SkipError(
      `Kafka at ${brokers.join(',')} does not answer (${(err as Error).message})`,
    );
  }
  try {
    const existing = new Set(await admin.listTopics());
    const topics = Object.values(TOPICS).filter((t) => existing.has(t));
    if (topics.length === 0) return 'kafka: no topics yet; the demo starts them fresh';

    const described = await admin.describeGroups(groups);
    const busy = described.groups.filter((g) => g.members.length > 0).map((g) => g.groupId);
    if (busy.length) {
      throw new SkipError(
        `consumer group ${busy.join(', ')} is in use by running services (another demo left ` +
          "running with --keep?); stop them first, or the demo's events may be stored elsewhere",
      );
    }

    // Moving a group's offsets joins the group for one fetch (about 5s in kafkajs), so only groups
    // that are behind are moved. One move at a time: two moves of the same group at once (one per
    // topic) keep rebalancing each other and never finish. The count is the most any group skips.
    let skipped = 0;
    for (const topic of topics) {
      for (const groupId of groups) {
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        let behind = 0;
        for (const end of ends) {
          const at = committed.partitions.find((p) => p.partition === end.partition)?.offset;
          const from = at === undefined || Number(at) < 0 ? Number(end.low) : Number(at);
          behind += Math.max(0, Number(end.high) - from);
        }
        if (behind === 0) continue;
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
        });
        skipped = Math.max(skipped, behind);
      }
    }
    return (
      `kafka: consumer group ${groups.join(', ')} reads ${topics.join(', ')} from its end` +
      (skipped ? ` (${skipped.toLocaleString('en-US')} older messages skipped)` : '')
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

main().then(
  (line) => {
    process.stdout.write(`${line}\n`);
    process.exit(0);
  },
  (err) => {
    const message =
      err instanceof SkipError ? err.message : `unexpected failure: ${(err as Error).message}`;
    process.stderr.write(`demo: ${message}\n`);
    process.exit(1);
  },
);
