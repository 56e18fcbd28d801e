import { messageKey, validateMessage, type TopicMessage, type TopicName } from '@reverie/contracts';
import type { Producer } from 'kafkajs';

/** A message that does not match its topic's contract; never sent. */
export class ContractViolationError extends Error {
  constructor(
    readonly topic: string,
    readonly reason: string,
  ) {
    super(`message for ${topic} breaks its contract: ${reason}`);
  }
}

/**
 * Validates messages against their topic's contract and produces them, keyed by their aggregate
 * (see `messageKey`) so per-aggregate order holds. Resolves only once the broker has
 * acknowledged every message on all in-sync replicas.
 */
export class EventPublisher {
  constructor(private readonly producer: Producer) {}

  async publish<T extends TopicName>(topic: T, messages: TopicMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    const encoded = messages.map((message) => {
      const result = validateMessage(topic, message);
      if (!result.ok) throw new ContractViolationError(topic, result.reason);
      return {
        key: messageKey(topic, message),
        value: JSON.stringify(result.value),
        headers: { 'reverie-type': message.type, 'reverie-schema-version': '1' },
      };
    });
    await this.producer.send({ topic, acks: -1, messages: encoded });
  }
}
