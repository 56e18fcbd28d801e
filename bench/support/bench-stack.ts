/**
 * What both benchmarks share: reaching the stack (with the fix when it is not there), cleanup that
 * always runs, consumer groups that skip what others left on a topic, and the entry point.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import mongoose from 'mongoose';
import { UsageError } from './options';

export const STACK_HINT = 'start the stack with `npm run stack -- up`';

/** A failure the user can act on; printed as-is on one line. */
export class BenchError extends Error {}

/** Undo steps, run last-in first-out even when the bench fails half-way. */
export class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  async runAll(): Promise<void> {
    for (const step of this.steps.reverse()) {
      await step.run().catch((err: Error) => {
        process.stderr.write(`bench: cleanup could not ${step.what}: ${err.message}\n`);
      });
    }
  }
}

/** Fails fast, with the fix, when Kafka or MongoDB is not there. */
export async function connectStack(
  options: { kafkaBrokers: string[]; mongoUrl: string },
  dbName?: string,
) {
  const kafka = new Kafka({
    clientId: 'reverie-bench-admin',
    brokers: options.kafkaBrokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 1 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (err) {
    throw new BenchError(
      `Kafka at ${options.kafkaBrokers.join(',')} is not reachable (${(err as Error).message}); ${STACK_HINT}`,
    );
  }
  const db = mongoose.createConnection(options.mongoUrl, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: 3_000,
  });
  try {
    await db.asPromise();
  } catch (err) {
    await admin.disconnect();
    throw new BenchError(
      `MongoDB at ${options.mongoUrl} is not reachable (${(err as Error).message}); ${STACK_HINT}`,
    );
  }
  return { admin, db };
}

/**
 * A new group starts from the earliest offset and would first replay everything earlier tests and
 * benches left on the shared topic; commit it at the end of the topic before it joins.
 */
export async function startGroupAtEnd(admin: Admin, groupId: string, topic: string) {
  if (!(await admin.listTopics()).includes(topic)) return; // the service creates it empty
  // Explicit end offsets, as the test harness does (resetOffsets would commit -1, "none").
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.setOffsets({
    groupId,
    topic,
    partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
  });
}

/** Waits until the group is stable with `members` members, so no rebalance moves a run mid-way. */
export async function waitForMembers(
  admin: Admin,
  groupId: string,
  members: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (group?.state === 'Stable' && group.members.length === members) return;
    if (performance.now() > deadline) {
      throw new BenchError(
        `consumer group ${groupId} is ${group?.state} with ${group?.members.length} members after ${timeoutMs / 1000}s, expected ${members}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A benchmark's entry point: reads its options (usage and exit 2 when they are wrong), runs it,
 * turns any failure into one line and exit 1, and always runs the cleanup it registered.
 */
export async function runBench<O>(
  readOptions: () => O,
  usage: string,
  bench: (options: O, cleanup: Cleanup) => Promise<void>,
): Promise<number> {
  let options: O;
  try {
    options = readOptions();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n${usage}\n`);
    return 2;
  }
  const cleanup = new Cleanup();
  try {
    await bench(options, cleanup);
    return 0;
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    process.stderr.write(`bench: failed: ${message}\n`);
    return 1;
  } finally {
    await cleanup.runAll();
  }
}
