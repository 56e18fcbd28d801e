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
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

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
} as const;
