import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import { MemoKeyPartitioner } from './key-partitioner';
import type { KafkaSettings } from './kafka-settings';

const logger = new Logger('kafkajs');

/** Routes kafkajs's own logs into the service's structured logger instead of the console. */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else if (level === logLevel.INFO) logger.debug?.(line);
  };
}

/**
 * The one place a kafkajs client is built from validated settings (TLS and SASL included).
 * `quiet` drops kafkajs's own logs (a CLI prints its own errors).
 */
export function createKafka(
  settings: Pick<KafkaSettings, 'brokers' | 'clientId' | 'ssl' | 'sasl'>,
  options: { quiet?: boolean } = {},
): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.ssl ? { ssl: settings.ssl } : {}),
    // kafkajs types each mechanism apart; the three take the same user name and password.
    ...(settings.sasl ? { sasl: settings.sasl as SASLOptions } : {}),
    logLevel: options.quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator,
    // A broker that is down refuses at once; one that does not answer is given 3 s.
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8 },
  });
}

/**
 * A producer that never auto-creates topics and keeps a session's messages in order: one request
 * in flight per broker, so a retried send cannot overtake a later one. Duplicates from retries are
 * harmless because every consumer de-duplicates on the envelope id.
 *
 * Its retries are bounded to about ten seconds: with the client's defaults (8 retries, each
 * refreshing metadata with its own retries) a send to a stopped broker took 87-164 s to fail,
 * holding the HTTP request and, with one request in flight, every send queued behind it.
 * `EventPublisher` answers the caller sooner still (its own deadline).
 *
 * The bench's raw producer is this one too, so it gains what the gateway gains from it.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
    // The default partitioner's placement, each key hashed once (see MemoKeyPartitioner).
    createPartitioner: MemoKeyPartitioner,
    retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 5 },
  });
}
