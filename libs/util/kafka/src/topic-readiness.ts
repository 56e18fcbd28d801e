import type { Admin } from 'kafkajs';

/**
 * Protocol errors of a topic the broker has not finished setting up: a just-formatted KRaft broker
 * answers UNKNOWN_TOPIC_OR_PARTITION for a topic it created a moment ago, and NOT_LEADER (or
 * LEADER_NOT_AVAILABLE) until the partition's leader has taken over. They pass by themselves
 * within seconds, so a service that meets them while it starts waits instead of exiting (on
 * Kubernetes, every fresh deploy would otherwise start in a crash loop).
 */
const NOT_READY_TYPES = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

/** Thrown by a readiness probe that found a partition without a leader (no protocol error). */
export class TopicsNotReadyError extends Error {
  override readonly name = 'TopicsNotReadyError';
}

/**
 * Whether `err` (or an error it wraps: kafkajs puts the last attempt's error in the `cause` of
 * KafkaJSNumberOfRetriesExceeded) says a topic's metadata or leader is not there yet.
 */
export function isTopicNotReady(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof TopicsNotReadyError) return true;
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && NOT_READY_TYPES.has(type)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export interface TopicWaitOptions {
  /** Gives up (rethrowing the last error, with what it waited for) after this long. */
  timeoutMs?: number;
  /** First pause between attempts; doubled each time up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Where the one line per retry goes (what it waits for, why, when it tries again). */
  log?: (message: string) => void;
  /** Injected by specs to keep them fast; `setTimeout` otherwise. */
  sleep?: (ms: number) => Promise<void>;
}

/** About a minute: far longer than a fresh broker takes, short enough to fail a deploy visibly. */
export const TOPIC_WAIT_TIMEOUT_MS = 60_000;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, retrying (bounded, with a log line each time) while it fails
 * because a topic is not ready yet (`isTopicNotReady`); any other error, or one past the
 * deadline, is thrown. `what` names what is waited for, in the log and in the final error.
 */
export async function retryWhileTopicsNotReady<T>(
  what: string,
  attempt: () => Promise<T>,
  options: TopicWaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? TOPIC_WAIT_TIMEOUT_MS;
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  const sleep = options.sleep ?? sleepFor;
  const started = Date.now();
  let delay = options.initialDelayMs ?? 200;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTopicNotReady(err)) throw err;
      const waited = Date.now() - started;
      if (waited + delay > timeoutMs)
        throw new TopicsNotReadyError(
          `${what} still not ready after ${Math.round(waited / 1000)} s (${tries} attempts): ${(err as Error).message}`,
          { cause: err },
        );
      options.log?.(
        `waiting for ${what}: ${(err as Error).message}; attempt ${tries + 1} in ${delay} ms`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}

/**
 * Resolves once every partition of `topics` has a leader that answers for it: the metadata names
 * a leader, and a ListOffsets to that leader succeeds (a KRaft broker lists itself as leader a
 * moment before its replica manager acts as one, which kafkajs's `createTopics` waitForLeaders
 * and `fetchTopicOffsets` do not retry). Covers topics another service created a moment ago too.
 */
export async function awaitTopicLeaders(
  admin: Admin,
  topics: readonly string[],
  options: TopicWaitOptions = {},
): Promise<void> {
  if (topics.length === 0) return;
  await retryWhileTopicsNotReady(
    `the leaders of Kafka topics ${topics.join(', ')}`,
    async () => {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = found.flatMap((t) =>
        t.partitions
          .filter((p) => p.leader < 0 || p.partitionErrorCode !== 0)
          .map((p) => `${t.name}[${p.partitionId}]`),
      );
      if (leaderless.length)
        throw new TopicsNotReadyError(`no leader yet for ${leaderless.join(', ')}`);
      await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
    },
    options,
  );
}
