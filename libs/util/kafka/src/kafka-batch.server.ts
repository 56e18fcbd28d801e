import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import {
  deadLetterTopic,
  decodeMessage,
  DLQ_HEADERS,
  type TopicMessage,
  type TopicName,
} from '@reverie/contracts';
import {
  batchParent,
  SpanKind,
  tenantOfMessages,
  withLogScope,
  withSpan,
  type ReverieMetrics,
} from '@reverie/telemetry';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { setTimeout as delay } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import {
  BatchDelivery,
  DEFAULT_FAILURE_POLICY,
  type FailurePolicy,
  type PendingMessage,
} from './batch-delivery';
import { ConsumerHealth } from './consumer-health';
import { createProducer } from './create-kafka';
import { deadLetterHeaders } from './dead-letters';
import { capturedHandlerError, clearHandlerError } from './handler-error.interceptor';
import { describeError } from './handler-errors';
import { DEFAULT_HANDLER_STALL_MS, type KafkaSettings } from './kafka-settings';

/** What a handler registered with `@EventPattern(topic)` receives: validated messages, in order. */
export interface ConsumedBatch<T extends TopicName = TopicName> {
  topic: T;
  partition: number;
  messages: TopicMessage<T>[];
  /** Long handlers call this so the group does not consider the consumer dead. */
  heartbeat: () => Promise<void>;
  /**
   * True once the service is shutting down (or the partition moved to another member): a handler
   * that waits should give up and throw, so the batch is not committed and is redelivered.
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
  /** Where the consumer's state is reported for readiness (`KafkaModule` provides one). */
  health?: ConsumerHealth;
  /** Overrides of the failure policy; `retries` defaults to `settings.maxHandlerRetries`. */
  failurePolicy?: Partial<FailurePolicy>;
  /** First wait before a crashed consumer is started again; doubled up to 5 s. */
  restartBackoffMs?: number;
}

/**
 * Longest wait between two attempts to start a crashed consumer. An attempt against a broker that
 * is down costs a few refused connections, so trying every few seconds is cheap, and a broker
 * that comes back is used within seconds (with 30 s, a broker back right after a failed attempt
 * left the service without a consumer for half a minute more).
 */
const MAX_RESTART_BACKOFF_MS = 5_000;

/**
 * A Nest microservice transport over kafkajs that hands handlers whole batches of validated
 * messages, and owns what happens when something fails:
 * - a message that breaks its topic's contract (or that MongoDB could not store) goes to
 *   `<topic>.dlq` with the reason and is skipped, never retried: Nest's stock Kafka transport
 *   retries validation failures forever (nest#10972);
 * - a handler's error is classified ({@link classifyError}): retriable ones are retried with
 *   back-off a bounded number of times, permanent ones (and retriable ones past the budget) are
 *   narrowed down to the message(s) that fail, which are dead-lettered while the rest are handled
 *   ({@link BatchDelivery});
 * - a consumer that crashes is started again with back-off until it rejoins (kafkajs gives up
 *   for good on errors it deems non-retriable), and its state is readable by readiness.
 * Offsets are committed only after the handler has finished, so a crash redelivers instead of
 * losing data; handlers must therefore be idempotent.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private producer?: Producer;
  /** Set by close(): handlers stop waiting, nothing is retried and nothing restarted any more. */
  private closing = false;
  private readonly stop = new AbortController();
  private restarting?: Promise<void>;
  /** The current consumer crashed and no consumer started since: a restart is owed. */
  private crashed = false;
  readonly health: ConsumerHealth;
  private readonly delivery: BatchDelivery;
  private metrics?: ReverieMetrics;
  /** Reads committed and end offsets for the lag gauge; connected on the first scrape. */
  private lagAdmin?: Admin;
  private stopLag?: () => void;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
    this.health = options.health ?? new ConsumerHealth();
    this.delivery = new BatchDelivery(
      {
        retries: options.settings.maxHandlerRetries,
        ...DEFAULT_FAILURE_POLICY,
        ...options.failurePolicy,
      },
      this.logger,
      options.settings.groupId,
    );
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /**
   * Reports to `metrics`: messages handled, messages dead-lettered, and this group's lag per
   * topic and partition (read from Kafka when Prometheus scrapes). The service kit calls it.
   */
  instrument(metrics: ReverieMetrics): void {
    this.metrics = metrics;
  }

  async close(): Promise<void> {
    // Stop consuming first (waits for the batch in flight), then flush the DLQ producer.
    this.closing = true;
    this.stopLag?.();
    await this.lagAdmin?.disconnect().catch(() => undefined);
    this.lagAdmin = undefined;
    this.stop.abort();
    await this.restarting;
    if (this.consumer) this.logger.log('stopping the consumer (finishing the batch in flight)');
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    if (this.consumer) this.setState('stopped');
    this.consumer = undefined;
    this.producer = undefined;
  }

  on(): void {
    // kafkajs's own events are surfaced through logs and `health`; nothing to register here.
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('the Kafka consumer is not started yet');
    return this.consumer as T;
  }

  private get topics(): string[] {
    return [...this.messageHandlers.keys()];
  }

  private setState(state: Parameters<ConsumerHealth['setState']>[2], error?: string): void {
    this.health.setState(this.options.settings.groupId, this.topics, state, error);
  }

  private async start(): Promise<void> {
    if (this.topics.length === 0) return;
    this.setState('starting');
    this.producer = createProducer(this.options.kafka);
    await this.producer.connect();
    await this.startConsumer();
    if (this.metrics) this.stopLag = this.metrics.addLagSource(() => this.readLag());
    this.logger.log(
      `consuming ${this.topics.join(', ')} as group ${this.options.settings.groupId}`,
    );
  }

  /** Lag per partition: end offset minus the group's committed offset (or the earliest one). */
  private async readLag() {
    if (this.closing) return [];
    if (!this.lagAdmin) {
      const admin = this.options.kafka.admin();
      await admin.connect();
      this.lagAdmin = admin;
    }
    const admin = this.lagAdmin;
    const group = this.options.settings.groupId;
    const committed = await admin.fetchOffsets({ groupId: group, topics: this.topics });
    const rows = await Promise.all(
      committed.map(async ({ topic, partitions }) => {
        const ends = await admin.fetchTopicOffsets(topic);
        return ends.map((end) => {
          const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const from = Number(offset) >= 0 ? Number(offset) : Number(end.low);
          return {
            group,
            topic,
            partition: end.partition,
            lag: Math.max(0, Number(end.high) - from),
          };
        });
      }),
    );
    return rows.flat();
  }

  /** Creates, connects and runs a consumer; on failure it is disconnected again. */
  private async startConsumer(): Promise<void> {
    const { kafka, settings } = this.options;
    const consumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      // An idle fetch waits at most this long; disconnect waits for it, so it bounds shutdown.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      // Every crash comes to onCrash, which restarts with its own back-off and reports it.
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.consumer === consumer && !this.closing) this.setState('running');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer === consumer) this.onCrash(payload.error);
    });
    this.consumer = consumer;
    try {
      await consumer.connect();
      // A new group starts from the earliest offset so nothing produced before it joined is missed.
      await consumer.subscribe({ topics: this.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.handleBatch(payload),
      });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private onCrash(error: Error): void {
    if (this.closing) return;
    const reason = describeError(error);
    this.logger.error(`the Kafka consumer crashed (${reason}); starting it again`);
    this.setState('restarting', `crashed: ${reason}`);
    this.crashed = true;
    this.scheduleRestart();
  }

  /**
   * Starts the restart loop unless it runs already. A crash while the loop starts a consumer is
   * seen by the loop (`crashed` is set again); one that lands as the loop ends starts it again.
   */
  private scheduleRestart(): void {
    if (this.restarting || this.closing) return;
    this.restarting = this.restart().finally(() => {
      this.restarting = undefined;
      if (this.crashed) this.scheduleRestart();
    });
  }

  /**
   * Starts a new consumer with back-off until one runs or the service shuts down. kafkajs reports
   * a failure to join the group (a coordinator still loading after a broker restart, say) as a
   * crash while `run()` resolves normally: such an attempt counts as failed, not as a restart.
   */
  private async restart(): Promise<void> {
    const first = this.options.restartBackoffMs ?? 1_000;
    for (let attempt = 0; this.crashed && !this.closing; attempt++) {
      await delay(Math.min(first * 2 ** attempt, MAX_RESTART_BACKOFF_MS), undefined, {
        signal: this.stop.signal,
      }).catch(() => undefined);
      if (this.closing) return;
      this.crashed = false;
      try {
        await this.consumer?.disconnect().catch(() => undefined);
        await this.startConsumer();
      } catch (err) {
        this.crashed = true;
        this.logger.error(`starting the Kafka consumer again failed: ${describeError(err)}`);
        this.setState('restarting', `restart failed: ${describeError(err)}`);
        continue;
      }
      if (!this.crashed) {
        this.logger.log(
          `the Kafka consumer is running again (group ${this.options.settings.groupId})`,
        );
      }
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } =
      payload;
    const topic = batch.topic as TopicName;
    const maxChunk = this.options.maxChunk ?? 500;
    const live = () => isRunning() && !isStale() && !this.closing;
    const target = {
      topic,
      partition: batch.partition,
      heartbeat,
      live,
      run: (messages: PendingMessage[]) =>
        this.runHandler(topic, batch.partition, messages, {
          heartbeat,
          stopping: () => !live(),
        }),
      deadLetter: (message: PendingMessage, reason: string, attempts: number) =>
        this.deadLetter(topic, batch.partition, message.raw, reason, attempts),
      retrying: (state: { attempt: number; reason: string } | null) =>
        this.health.setRetrying(
          this.options.settings.groupId,
          state && { topic, partition: batch.partition, ...state },
        ),
    };
    let pending: PendingMessage[] = [];

    const flush = async () => {
      if (pending.length === 0) return;
      const messages = pending;
      pending = [];
      // Every message is handled or dead-lettered when this returns.
      await this.delivery.deliver(target, messages);
      resolveOffset(messages[messages.length - 1].raw.offset);
      await heartbeat();
    };

    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const decoded = decodeMessage(topic, message.value);
      if (decoded.ok) {
        pending.push({ raw: message, value: decoded.value });
        if (pending.length >= maxChunk) await flush();
        continue;
      }
      // Keep offsets monotonic: what came before the bad message is handled first.
      await flush();
      this.logger.warn(
        `dead-lettering ${topic}[${batch.partition}]@${message.offset}: ${decoded.reason}`,
      );
      await this.deadLetter(topic, batch.partition, message, decoded.reason, 0);
      resolveOffset(message.offset);
    }
    // After a rebalance another member owns the partition; leave the rest for it.
    if (!isStale()) await flush();
    await commitOffsetsIfNecessary();
  }

  /**
   * Runs the registered handler once; rejects with the error the handler itself threw. The call
   * is tracked in `health` until it returns: one that neither returns nor heartbeats within
   * `handlerStallMs` makes the process not live (a restart frees its partition).
   */
  private async runHandler(
    topic: TopicName,
    partition: number,
    messages: PendingMessage[],
    extra: Pick<ConsumedBatch, 'heartbeat' | 'stopping'>,
  ): Promise<void> {
    const handler = this.getHandlerByPattern(topic);
    if (!handler) throw new Error(`no handler registered for ${topic}`);
    const { groupId, handlerStallMs } = this.options.settings;
    const call = this.health.handlerStarted({
      groupId,
      topic,
      partition,
      stallMs: handlerStallMs ?? DEFAULT_HANDLER_STALL_MS,
    });
    const membership = this.keepMembership(call, extra.heartbeat);
    try {
      await this.invokeHandler(
        handler,
        {
          topic,
          partition,
          messages: messages.map((m) => m.value),
          heartbeat: async () => {
            this.health.handlerProgress(call);
            await extra.heartbeat();
          },
          stopping: extra.stopping,
        },
        messages,
      );
    } finally {
      clearInterval(membership);
      this.health.handlerEnded(call);
    }
    this.metrics?.handled(groupId, topic, messages.length);
  }

  /**
   * Keeps the consumer in its group while a handler call works, however long one await inside it
   * takes (a model's answer): kafkajs heartbeats only when asked, and a member silent for the
   * session timeout is removed from the group, its batch delivered again. Only until the call
   * counts as stalled (see `runHandler`): from then on the member is let go, so the broker moves
   * its partitions. A heartbeat refused (a rebalance under way) is left to the batch's own next
   * heartbeat or commit, which rejoins.
   */
  private keepMembership(call: number, heartbeat: () => Promise<void>): NodeJS.Timeout {
    let beating = false;
    const timer = setInterval(() => {
      if (beating || this.health.isStalled(call)) return;
      beating = true;
      heartbeat()
        .catch(() => undefined)
        .finally(() => (beating = false));
    }, this.options.settings.heartbeatIntervalMs);
    timer.unref?.();
    return timer;
  }

  /** The handler's call, in a consumer span with the batch's tenant in the log scope. */
  private async invokeHandler(
    handler: NonNullable<ReturnType<Server['getHandlerByPattern']>>,
    batch: ConsumedBatch,
    messages: PendingMessage[],
  ): Promise<void> {
    const { topic, partition } = batch;
    const context = new BaseRpcContext([topic, partition]);
    // A consumer span continuing the trace of the (first) message, and the batch's tenant for logs.
    const { parent, links } = batchParent(messages.map((m) => m.raw.headers));
    const tenant = tenantOfMessages(batch.messages);
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.consumer.group.name': this.options.settings.groupId,
      'messaging.batch.message_count': messages.length,
    };
    await withSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, parent, links, attributes }, () =>
      withLogScope({ tenant: () => tenant }, async () => {
        let failed: { error: unknown } | undefined;
        try {
          await lastValueFrom(this.transformToObservable(await handler(batch, context)), {
            defaultValue: undefined,
          });
          // The interceptor took the handler's error off the way to Nest's exception filters.
          failed = capturedHandlerError(batch);
        } catch (err) {
          // Thrown outside the interceptor (a guard, a pipe): a filter may have replaced it.
          failed = capturedHandlerError(batch) ?? { error: err };
        } finally {
          clearHandlerError(batch);
        }
        if (failed) throw failed.error;
      }),
    );
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
    attempts: number,
  ): Promise<void> {
    if (!this.producer) throw new Error('the dead-letter producer is not connected');
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
            [DLQ_HEADERS.consumerGroup]: this.options.settings.groupId,
            ...(attempts > 0 ? { [DLQ_HEADERS.attempts]: String(attempts) } : {}),
          },
        },
      ],
    });
    this.metrics?.deadLetter(this.options.settings.groupId, topic);
  }
}
