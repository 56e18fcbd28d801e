import { createProducer, EventPublisher } from '@reverie/kafka';
import { testKafka } from './test-stack';

/** A publisher over a real producer that refuses every send until `connect()`. */
export interface UnconnectedPublisher {
  /** The contract-checking publisher a service would use, over the producer. */
  publisher: EventPublisher;
  /** Connects the producer: sends go through from then on, as when Kafka comes back. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

/**
 * For specs of what survives Kafka refusing a send: a real kafkajs producer on the test broker,
 * not connected yet (kafkajs refuses every send, as when Kafka is down), and the publisher over
 * it, which gives up after `timeoutMs`.
 */
export function unconnectedPublisher(timeoutMs = 2_000): UnconnectedPublisher {
  const producer = createProducer(testKafka());
  return {
    publisher: new EventPublisher(producer, timeoutMs),
    connect: () => producer.connect(),
    close: () => producer.disconnect(),
  };
}
