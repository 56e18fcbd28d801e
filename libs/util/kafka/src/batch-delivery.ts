import type { LoggerService } from '@nestjs/common';
import type { TopicMessage, TopicName } from '@reverie/contracts';
import type { KafkaMessage } from 'kafkajs';
import { setTimeout as delay } from 'node:timers/promises';
import { classifyError, describeError, type ErrorClass } from './handler-errors';

/** How the transport treats a handler that fails. */
export interface FailurePolicy {
  /** Retries of a batch after a retriable error before its messages are isolated. */
  retries: number;
  /** First back-off; doubled after each failure up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /**
   * How long a batch waits for a dependency that is down (MongoDB, Kafka) before it is treated
   * like a retriable failure past its budget. Long, so an outage is waited out rather than every
   * message of it dead-lettered; bounded, so a message that only looks like an outage (it makes
   * the server drop the connection) cannot block its partition for good.
   */
  unavailableWaitMs: number;
}

export const DEFAULT_FAILURE_POLICY: Omit<FailurePolicy, 'retries'> = {
  initialBackoffMs: 200,
  maxBackoffMs: 5_000,
  unavailableWaitMs: 5 * 60_000,
};

/** A decoded message with where it came from. */
export interface PendingMessage {
  raw: KafkaMessage;
  value: TopicMessage<TopicName>;
}

/** One partition's batch as the delivery sees it. */
export interface DeliveryTarget {
  topic: TopicName;
  partition: number;
  heartbeat: () => Promise<void>;
  /** False once the partition was lost, the consumer stopped or the service is shutting down. */
  live: () => boolean;
  /** Runs the handler on these messages; rejects with what the handler threw. */
  run: (messages: PendingMessage[]) => Promise<void>;
  /** Parks one message on the dead-letter topic with the reason. */
  deadLetter: (message: PendingMessage, reason: string, attempts: number) => Promise<void>;
  /** Reports a retry in progress (null: none any more). */
  retrying: (state: { attempt: number; reason: string } | null) => void;
}

type Attempted = { ok: true } | { ok: false; err: unknown; kind: ErrorClass; attempts: number };

/**
 * The failure policy of the transport: retriable errors are retried with back-off, a bounded
 * number of times; a permanent error, or a retriable one past its budget, isolates the message(s)
 * that fail by handling the batch in halves, so only those go to the dead-letter topic and the
 * rest are handled. Every path ends: nothing loops forever and nothing stops the partition.
 * Handlers are idempotent, so handling a half again after a partial success changes nothing.
 */
export class BatchDelivery {
  constructor(
    private readonly policy: FailurePolicy,
    private readonly logger: LoggerService,
    /** Who gives up, in dead-letter reasons (the consumer group). */
    private readonly who: string,
  ) {}

  /** Handles `messages` (all of them: handled or dead-lettered) or throws once not live. */
  async deliver(target: DeliveryTarget, messages: PendingMessage[]): Promise<void> {
    await this.deliverPart(target, messages, true, 0);
  }

  private async deliverPart(
    target: DeliveryTarget,
    messages: PendingMessage[],
    first: boolean,
    attemptsBefore: number,
  ): Promise<void> {
    const result = await this.attempt(target, messages, first);
    if (result.ok) return;
    const attempts = attemptsBefore + result.attempts;
    if (messages.length === 1) {
      const reason = `${this.who} gave up after ${attempts} attempt(s) (${result.kind} error): ${describeError(result.err)}`;
      this.logger.warn(
        `dead-lettering ${target.topic}[${target.partition}]@${messages[0].raw.offset}: ${reason}`,
      );
      await target.deadLetter(messages[0], reason, attempts);
      return;
    }
    this.logger.warn(
      `handler for ${target.topic}[${target.partition}] failed on ${messages.length} messages (${result.kind}: ${describeError(result.err)}); handling them in halves to find the message(s) that fail`,
    );
    const half = Math.ceil(messages.length / 2);
    await this.deliverPart(target, messages.slice(0, half), false, attempts);
    await this.deliverPart(target, messages.slice(half), false, attempts);
  }

  /**
   * Runs the handler until it succeeds or gives up. The first (whole) batch gets the retry budget
   * and waits out an outage; the halves it is split into get one attempt each, as the batch
   * already used the budget.
   */
  private async attempt(
    target: DeliveryTarget,
    messages: PendingMessage[],
    first: boolean,
  ): Promise<Attempted> {
    const started = Date.now();
    let retriableFailures = 0;
    for (let attempts = 1; ; attempts++) {
      try {
        await target.run(messages);
        if (attempts > 1) target.retrying(null);
        return { ok: true };
      } catch (err) {
        if (!target.live()) {
          throw new Error(
            `stopped while handling ${target.topic}[${target.partition}]; the batch is not committed and will be delivered again`,
            { cause: err },
          );
        }
        const kind = classifyError(err);
        const giveUp =
          !first ||
          kind === 'permanent' ||
          (kind === 'retriable' && retriableFailures++ >= this.policy.retries) ||
          (kind === 'unavailable' && Date.now() - started >= this.policy.unavailableWaitMs);
        if (giveUp) {
          if (attempts > 1) target.retrying(null);
          return { ok: false, err, kind, attempts };
        }
        const backoff = Math.min(
          this.policy.initialBackoffMs * 2 ** (attempts - 1),
          this.policy.maxBackoffMs,
        );
        const reason = `${kind} error: ${describeError(err)}`;
        this.logger.warn(
          `handler for ${target.topic}[${target.partition}] failed (attempt ${attempts}, ${reason}); retrying in ${backoff} ms`,
        );
        target.retrying({ attempt: attempts, reason });
        await this.pause(target, backoff);
      }
    }
  }

  /** Waits, keeping the group membership alive, and stops waiting once not live. */
  private async pause(target: DeliveryTarget, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (target.live() && Date.now() < until) {
      await delay(Math.min(until - Date.now(), 1_000));
      await target.heartbeat();
    }
  }
}
