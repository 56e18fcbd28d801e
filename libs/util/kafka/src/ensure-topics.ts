import type { Admin, ITopicConfig } from 'kafkajs';
import { deadLetterTopic } from '@reverie/contracts';
import { awaitTopicLeaders, type TopicWaitOptions } from './topic-readiness';

export interface TopicSpec {
  topic: string;
  /** Also create `<topic>.dlq` (for topics this service consumes). */
  withDeadLetter?: boolean;
  /** Extra topic configs, e.g. `cleanup.policy=compact`. */
  config?: Record<string, string>;
}

/**
 * Creates the topics a service needs, explicitly (brokers run with auto-create off), with the
 * partition count from config, then waits until every one of them, created here or by another
 * service a moment ago, has a leader that answers (`awaitTopicLeaders`): on a fresh broker the
 * services start together, and a consumer or a read of a topic whose leader is not in place yet
 * failed their start. Safe to call from several replicas at once.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  defaults: { partitions: number; replicationFactor: number },
  wait: TopicWaitOptions = {},
): Promise<string[]> {
  const wanted = plannedTopics(specs, defaults);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length) {
    try {
      // Not kafkajs's waitForLeaders: it gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft
      // broker answers right after creating a topic; awaitTopicLeaders below retries it.
      await admin.createTopics({ topics: missing, waitForLeaders: false });
    } catch (err) {
      // Another replica may have created them between our list and create: that is fine.
      const already = (err as { errors?: { type?: string }[] }).errors?.every(
        (e) => e.type === 'TOPIC_ALREADY_EXISTS',
      );
      if (!already) throw err;
    }
  }
  await awaitTopicLeaders(
    admin,
    wanted.map((t) => t.topic),
    wait,
  );
  return missing.map((t) => t.topic);
}

/**
 * `specs` with each topic once: a topic several modules need gets a dead-letter topic if any asks
 * for one, and every config asked for.
 */
function mergeTopicSpecs(specs: TopicSpec[]): TopicSpec[] {
  const byTopic = new Map<string, TopicSpec>();
  for (const spec of specs) {
    const seen = byTopic.get(spec.topic);
    byTopic.set(
      spec.topic,
      seen
        ? {
            topic: spec.topic,
            withDeadLetter: Boolean(seen.withDeadLetter || spec.withDeadLetter),
            config: { ...seen.config, ...spec.config },
          }
        : spec,
    );
  }
  return [...byTopic.values()];
}

/**
 * The topics (and dead-letter topics) that `specs` ask for, each once (modules of one service may
 * name the same topic), with partitions from config.
 */
export function plannedTopics(
  specs: TopicSpec[],
  defaults: { partitions: number; replicationFactor: number },
): ITopicConfig[] {
  return mergeTopicSpecs(specs).flatMap((spec) => {
    const base: ITopicConfig = {
      topic: spec.topic,
      numPartitions: defaults.partitions,
      replicationFactor: defaults.replicationFactor,
      configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
    };
    if (!spec.withDeadLetter) return [base];
    return [base, { ...base, topic: deadLetterTopic(spec.topic), configEntries: [] }];
  });
}
