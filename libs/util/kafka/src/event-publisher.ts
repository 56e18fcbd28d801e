import { ServiceUnavailableException } from '@nestjs/common';
import { messageKey, validateMessage, type TopicMessage, type TopicName } from '@reverie/contracts';
import { SpanKind, traceHeaders, withSpan } from '@reverie/telemetry';
import type { Producer } from 'kafkajs';
import { isUnavailable } from './unavailable';

/** A message that does not match its topic's contract; never sent. */
export class ContractViolationError extends Error {
  constructor(
    readonly topic: string,
    readonly reason: string,
  ) {
    super(`message for ${topic} breaks its contract: ${reason}`);
  }
}

/** The message as its topic's contract reads it, or `ContractViolationError` (nothing sent). */
export function checkMessage<T extends TopicName>(topic: T, message: unknown): TopicMessage<T> {
  const result = validateMessage(topic, message);
  if (!result.ok) throw new ContractViolationError(topic, result.reason);
  return result.value;
}

/** A message and its JSON (`value`), already checked against its topic's contract. */
export interface EncodedMessage<T extends TopicName> {
  message: TopicMessage<T>;
  value: string;
}

/** How long a publish may take before the caller is told Kafka is unavailable. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

/** Seconds a client is asked to wait (`Retry-After`) before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Kafka did not acknowledge a publish in time (broker down, no leader, network). Retriable: an
 * HTTP request that publishes answers 503 with `Retry-After`, and the client sends it again. The
 * send goes on after the deadline and may still land: consumers de-duplicate on the envelope id,
 * so a retry is stored once only if it re-sends the same message (events by their
 * `clientEventId`; a new session or feedback by the request's `Idempotency-Key`, see `advise`).
 * A 503 `HttpException`, so HTTP filters map it without knowing Kafka; `code`, `status` and
 * `retryAfterSeconds` are there for filters that read them.
 */
export class KafkaUnavailableError extends ServiceUnavailableException {
  readonly code = 'overloaded_error';
  readonly retryAfterSeconds = RETRY_AFTER_SECONDS;

  constructor(
    readonly topic: string,
    readonly reason: string,
    advice = `retry in ${RETRY_AFTER_SECONDS} s`,
  ) {
    super(`Kafka is unavailable: publishing to ${topic} failed (${reason}); ${advice}`, {
      cause: reason,
    });
  }

  /**
   * The same refusal with other advice for the client: a route whose message may still be
   * delivered late (kafkajs keeps retrying after the deadline) says what a safe retry is.
   */
  advise(advice: string): KafkaUnavailableError {
    return new KafkaUnavailableError(this.topic, this.reason, advice);
  }
}

/**
 * Validates messages against their topic's contract and produces them, keyed by their aggregate
 * (see `messageKey`) so per-aggregate order holds. Resolves only once the broker has
 * acknowledged every message on all in-sync replicas, or rejects with `KafkaUnavailableError`
 * after `timeoutMs` (kafkajs's own retries, nested per request and per metadata refresh, take
 * minutes when the broker is down; a caller waiting on HTTP must hear back in seconds).
 */
export class EventPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly timeoutMs = DEFAULT_PUBLISH_TIMEOUT_MS,
  ) {}

  async publish<T extends TopicName>(topic: T, messages: TopicMessage<T>[]): Promise<void> {
    const encoded = messages.map((message) => {
      const checked = checkMessage(topic, message);
      return { message, value: JSON.stringify(checked) };
    });
    await this.publishEncoded(topic, encoded);
  }

  /**
   * Produces messages the caller has already checked against the contract and serialised, such
   * as `encodeEventAppended` builds from bodies the HTTP layer validated: checking and serialising
   * them again cost the gateway's hot path a third of its CPU. Every consumer still validates what
   * it reads (a message that breaks the contract is dead-lettered, never stored).
   */
  async publishEncoded<T extends TopicName>(topic: T, encoded: EncodedMessage<T>[]): Promise<void> {
    if (encoded.length === 0) return;
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'messaging.batch.message_count': encoded.length,
    };
    // A producer span; its W3C trace context rides in every message's headers (none while
    // tracing is off), so the consumer's span continues this trace.
    await withSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes }, async () => {
      const trace = traceHeaders();
      const messages = encoded.map(({ message, value }) => ({
        key: messageKey(topic, message),
        value,
        headers: { 'reverie-type': message.type, 'reverie-schema-version': '1', ...trace },
      }));
      await this.withDeadline(topic, this.producer.send({ topic, acks: -1, messages }));
    });
  }

  private async withDeadline<R>(topic: string, send: Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KafkaUnavailableError(topic, `no acknowledgement within ${this.timeoutMs} ms`),
          ),
        this.timeoutMs,
      );
    });
    // The send may still fail after the deadline: it has been answered already.
    send.catch(() => undefined);
    try {
      return await Promise.race([send, deadline]);
    } catch (err) {
      // A message the broker refuses (too large, invalid) stays as it is: a 503 would make the
      // client resend what can never be accepted.
      if (err instanceof KafkaUnavailableError || !isUnavailable(err)) throw err;
      throw new KafkaUnavailableError(topic, (err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}
