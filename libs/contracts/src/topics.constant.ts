/**
 * Every Kafka topic Reverie uses, in one place. Names are versioned
 * (`reverie.<domain>.<stream>.v1`); a breaking payload change gets a new version.
 */
export const TOPICS = {
  /**
   * Everything that happens to one session, keyed by session id so that a session's lifecycle
   * (started, events, feedback, ended) stays in order on one partition.
   */
  sessionEvents: 'reverie.sessions.events.v1',
  /** Commands to run a managed session, keyed by session id; orchestrator replicas share them. */
  runCommands: 'reverie.runs.commands.v1',
  /**
   * The latest playbook version of each agent (and role), keyed by `<tenant>/<agent>[/<role>]`.
   * Compacted: a replica that reads it from the start learns every agent's current playbook.
   */
  playbookVersions: 'reverie.playbooks.versions.v1',
  /** The grader's verdicts, keyed by session id (one per graded iteration). */
  outcomes: 'reverie.outcomes.v1',
  /** Requests to the grader (grade a session again), keyed by session id. */
  outcomeCommands: 'reverie.outcomes.commands.v1',
  /** Requests to the dreamer (run a stored pending dream), keyed by agent id. */
  dreamCommands: 'reverie.dreams.commands.v1',
  /** What dreams did when they ended, keyed by agent id. */
  dreams: 'reverie.dreams.v1',
  /** API keys revoked, keyed by key; every gateway replica reads all of it (not a shared group). */
  apiKeyRevocations: 'reverie.apikeys.revoked.v1',
} as const;

/** The compaction key of an agent's (or one role's) playbook on the playbook topic. */
export function playbookKey(tenantId: string, agentId: string, role?: string | null): string {
  return role ? `${tenantId}/${agentId}/${role}` : `${tenantId}/${agentId}`;
}

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/**
 * The settings a topic is created with where it needs its own (the others take the broker's
 * defaults, besides partitions and replication). The services that create a topic and the
 * published contract (AsyncAPI) both read them here.
 */
export const TOPIC_CONFIGS: Partial<Record<TopicName, Readonly<Record<string, string>>>> = {
  // Compacted: a replica that reads it from the start learns every agent's current playbook.
  [TOPICS.playbookVersions]: { 'cleanup.policy': 'compact' },
  // Revocations matter only while a gateway's cache could hold the key (30 s): an hour of them
  // is plenty for a replica that joins late.
  [TOPICS.apiKeyRevocations]: {
    'cleanup.policy': 'delete',
    'retention.ms': String(60 * 60 * 1000),
  },
};

/** A topic with the settings it is created with (`TOPIC_CONFIGS`), for a service's topic list. */
export function topicWithConfig(topic: TopicName): {
  topic: TopicName;
  config?: Record<string, string>;
} {
  const config = TOPIC_CONFIGS[topic];
  return config ? { topic, config: { ...config } } : { topic };
}

/** Messages that fail validation on a topic are parked here with the reason in headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Header names carried by dead-lettered messages. */
export const DLQ_HEADERS = {
  reason: 'reverie-dlq-reason',
  originalTopic: 'reverie-dlq-original-topic',
  originalPartition: 'reverie-dlq-original-partition',
  originalOffset: 'reverie-dlq-original-offset',
  failedAt: 'reverie-dlq-failed-at',
  /** The consumer group that gave up on it (each group dead-letters on its own). */
  consumerGroup: 'reverie-dlq-consumer-group',
  /** Times the handler ran before the message was dead-lettered (absent: never handled). */
  attempts: 'reverie-dlq-attempts',
} as const;
