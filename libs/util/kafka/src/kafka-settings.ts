/** Everything needed to talk to Kafka, already validated by the service's config. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Consumer group of this service; replicas share it and split the partitions. */
  groupId: string;
  /** Partitions for topics this service creates. */
  partitions: number;
  replicationFactor: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Times a handler is retried in place on a transient error before the consumer restarts. */
  maxHandlerRetries: number;
}
