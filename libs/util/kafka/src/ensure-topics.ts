import type { Admin, ITopicConfig } from 'kafkajs';
import { deadLetterTopic } from '@reverie/contracts';

export interface TopicSpec {
  topic: string;
  /** Also create `<topic>.dlq` (for topics this service consumes). */
  withDeadLetter?: boolean;
  /** Extra topic configs, e.g. `cleanup.policy=compact`. */
  config?: Record<string, string>;
}

/**
 * Creates the topics a service needs, explicitly (brokers run with auto-create off), with the
 * partition count from config. Safe to call from several replicas at once.
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  defaults: { partitions: number; replicationFactor: number },
): Promise<string[]> {
  const wanted = plannedTopics(specs, defaults);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (err) {
    // Another replica may have created them between our list and create: that is fine.
    const already = (err as { errors?: { type?: string }[] }).errors?.every(
      (e) => e.type === 'TOPIC_ALREADY_EXISTS',
    );
    if (!already) throw err;
  }
  return missing.map((t) => t.topic);
}

/** The topics (and dead-letter topics) that `specs` ask for, with partitions from config. */
export function plannedTopics(
  specs: TopicSpec[],
  defaults: { partitions: number; replicationFactor: number },
): ITopicConfig[] {
  return specs.flatMap((spec) => {
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
