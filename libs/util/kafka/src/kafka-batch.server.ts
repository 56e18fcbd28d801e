import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import {
  deadLetterTopic,
  decodeMessage,
  type TopicMessage,
  type TopicName,
} from '@reverie/contracts';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { createProducer } from './create-kafka';
import { deadLetterHeaders } from './dead-letters';
import type { KafkaSettings } from './kafka-settings';

/** What a handler registered with `@EventPattern(topic)` receives: validated messages, in order. */
export interface ConsumedBatch<T extends TopicName = TopicName> {
  topic: T;
  partition: number;
  messages: TopicMessage<T>[];
  /** Long handlers call this so the group does not consider the consumer dead. */
  heartbeat: () => Promise<void>;
  /**
   * True once the service is shutting down: a handler that waits (to retry, to back off) should
   * give up and throw, so the batch is not committed and is redelivered after the restart.
   */
  stopping: () => boolean;
}

export interface KafkaBatchServerOptions {
  kafka: Kafka;
  settings: KafkaSettings;
  /** Largest number of messages handed to a handler in one call. */
  maxChunk?: number;
  /**
   * How many partitions are handled at once (default 1). Order still holds within each
   * partition; raise it when handlers wait on slow work (running sessions) rather than on a
   * shared resource that would only be slowed down by more parallel callers.
   */
  partitionsConsumedConcurrently?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Nest microservice transport over kafkajs that hands handlers whole batches of validated
 * messages. Nest's stock Kafka transport calls handlers one message at a time and retries
 * validation failures forever (nest#10972); here a message that breaks its topic's contract is
 * sent to `<topic>.dlq` with the reason and skipped, so it never blocks the partition. Offsets are
 * committed only after the handler has finished, so a crash redelivers instead of losing data;
 * handlers must therefore be idempotent.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private producer?: Producer;
  /** Set by close(): handlers stop waiting and nothing is retried in place any more. */
  private closing = false;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    // Stop consuming first (waits for the batch in flight), then flush the DLQ producer.
    this.closing = true;
    if (this.consumer) this.logger.log('stopping the consumer (finishing the batch in flight)');
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
  }

  on(): void {
    // kafkajs's own events are surfaced through logs; nothing to register here.
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('the Kafka consumer is not started yet');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length === 0) return;
    const { kafka, settings } = this.options;
    this.producer = createProducer(kafka);
    await this.producer.connect();
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      // An idle fetch waits at most this long; disconnect waits for it, so it bounds shutdown.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    // A new group starts from the earliest offset so nothing produced before it joined is missed.
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.log(`consuming ${topics.join(', ')} as group ${settings.groupId}`);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } =
      payload;
    const topic = batch.topic as TopicName;
    const maxChunk = this.options.maxChunk ?? 500;
    let pending: { offset: string; value: TopicMessage<TopicName> }[] = [];

    const flush = async () => {
      if (pending.length === 0) return;
      const messages = pending.map((p) => p.value);
      await this.dispatch({
        topic,
        partition: batch.partition,
        messages,
        heartbeat,
        stopping: () => this.closing,
      });
      resolveOffset(pending[pending.length - 1].offset);
      pending = [];
      await heartbeat();
    };

    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const decoded = decodeMessage(topic, message.value);
      if (decoded.ok) {
        pending.push({ offset: message.offset, value: decoded.value });
        if (pending.length >= maxChunk) await flush();
        continue;
      }
      // Keep offsets monotonic: what came before the bad message is handled first.
      await flush();
      await this.deadLetter(topic, batch.partition, message, decoded.reason);
      resolveOffset(message.offset);
    }
    // After a rebalance another member owns the partition; leave the rest for it.
    if (!isStale()) await flush();
    await commitOffsetsIfNecessary();
  }

  /** Runs the handler, retrying transient failures a bounded number of times in place. */
  private async dispatch(batch: ConsumedBatch): Promise<void> {
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new Error(`no handler registered for ${batch.topic}`);
    const context = new BaseRpcContext([batch.topic, batch.partition]);
    const maxRetries = this.options.settings.maxHandlerRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        await lastValueFrom(this.transformToObservable(await handler(batch, context)), {
          defaultValue: undefined,
        });
        return;
      } catch (err) {
        if (attempt >= maxRetries || this.closing) {
          // Give up in place: throwing makes kafkajs restart the consumer, which redelivers from
          // the last committed offset. Nothing is skipped.
          this.logger.error(
            `handler for ${batch.topic}[${batch.partition}] failed ${attempt + 1} times: ${(err as Error).message}`,
          );
          throw err;
        }
        this.logger.warn(
          `handler for ${batch.topic}[${batch.partition}] failed (attempt ${attempt + 1}), retrying: ${(err as Error).message}`,
        );
        await sleep(Math.min(200 * 2 ** attempt, 5_000));
        await batch.heartbeat();
      }
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
  ): Promise<void> {
    if (!this.producer) throw new Error('the dead-letter producer is not connected');
    this.logger.warn(`dead-lettering ${topic}[${partition}]@${message.offset}: ${reason}`);
    await this.producer.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            ...deadLetterHeaders({ topic, partition, offset: message.offset }, reason),
          },
        },
      ],
    });
  }
}
