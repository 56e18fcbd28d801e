import type { KafkaConnection } from './kafka-connection';

/** Everything needed to talk to Kafka, already validated by the service's config. */
export interface KafkaSettings extends KafkaConnection {
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
  /**
   * How long a handler call may go without returning or calling `heartbeat()` before the
   * process reports itself not live (default 600,000: 10 minutes; see ConsumerHealth.stalled).
   */
  handlerStallMs?: number;
}

/** The default of `KafkaSettings.handlerStallMs`. */
export const DEFAULT_HANDLER_STALL_MS = 600_000;
