import { deadLetterTopic, DLQ_HEADERS } from '@reverie/contracts';
import type { Producer } from 'kafkajs';

/** Where a dead-lettered message came from. */
export interface DeadLetterOrigin {
  topic: string;
  partition: number | null;
  offset: string | null;
}

/** The headers a dead-lettered message carries: why, from where, when. */
export function deadLetterHeaders(
  origin: DeadLetterOrigin,
  reason: string,
): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: reason.slice(0, 4_000),
    [DLQ_HEADERS.originalTopic]: origin.topic,
    ...(origin.partition === null
      ? {}
      : { [DLQ_HEADERS.originalPartition]: String(origin.partition) }),
    ...(origin.offset === null ? {} : { [DLQ_HEADERS.originalOffset]: origin.offset }),
    [DLQ_HEADERS.failedAt]: new Date().toISOString(),
  };
}

/**
 * Parks a message a handler gave up on (valid, but it could not be processed after bounded
 * retries) on `<topic>.dlq` with the reason, so the partition moves on and nothing is lost.
 */
export class DeadLetters {
  constructor(private readonly producer: Producer) {}

  async send(origin: DeadLetterOrigin, key: string, value: unknown, reason: string): Promise<void> {
    await this.producer.send({
      topic: deadLetterTopic(origin.topic),
      acks: -1,
      messages: [{ key, value: JSON.stringify(value), headers: deadLetterHeaders(origin, reason) }],
    });
  }
}
