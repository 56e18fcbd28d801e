import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { decodeMessage, TOPICS } from '@reverie/contracts';
import { KAFKA_ADMIN, KAFKA_CLIENT, KAFKA_SETTINGS, type KafkaSettings } from '@reverie/kafka';
import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { ApiKeyCache } from './api-key.cache';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** How long to wait before the `attempt`-th try (from 0) to start reading again: doubling, capped. */
export function revocationRetryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempt, 16), MAX_RETRY_MS);
}

/**
 * Reads every API key revocation and evicts the key from this replica's cache. Unlike the
 * service's other consumers it does not share a consumer group: each replica must see every
 * revocation, so each joins a group of its own (deleted again on shutdown) and reads the topic
 * from its start. The topic keeps an hour (API_KEY_TOPICS), far longer than a cache entry lives,
 * so a replica that joins after a revocation still evicts a key it cached just before.
 *
 * It never blocks start-up: the API serves while it joins, with the cache's expiry as the bound
 * on a revoked key until it has. A message that breaks the contract is logged and skipped rather
 * than dead-lettered: every replica reads it, and one bad revocation must not stop the others.
 */
@Injectable()
export class ApiKeyRevocationsListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ApiKeyRevocations');
  private readonly groupId: string;
  private consumer?: Consumer;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private joined = false;
  /** Failed tries since the group was last joined: the back-off grows with it. */
  private attempts = 0;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly cache: ApiKeyCache,
  ) {
    this.groupId = `${settings.groupId}.api-key-revocations.${randomBytes(6).toString('hex')}`;
  }

  /** Whether this replica has joined its group and reads revocations (for readiness and tests). */
  get listening(): boolean {
    return this.joined;
  }

  onApplicationBootstrap(): void {
    void this.start();
  }

  private async start(): Promise<void> {
    if (this.stopped) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: this.settings.heartbeatIntervalMs,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      this.attempts = 0;
    });
    // kafkajs restarts a consumer after some crashes (`restart: true`) and gives up on others
    // (a failed group join after a broker restart, say): then this replica must start a new one,
    // or it would stop reading revocations until the process restarts.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      if (payload.restart || this.consumer !== consumer) return;
      this.scheduleRetry(`the consumer crashed: ${payload.error.message}`);
    });
    try {
      await consumer.connect();
      // Shutdown may have begun while this connected (to a broker that was down, say): a
      // consumer started now would run on after the app closed.
      if (this.stopped) return void (await consumer.disconnect().catch(() => undefined));
      await consumer.subscribe({ topic: TOPICS.apiKeyRevocations, fromBeginning: true });
      if (this.stopped) return void (await consumer.disconnect().catch(() => undefined));
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          const decoded = decodeMessage(TOPICS.apiKeyRevocations, message.value);
          if (!decoded.ok) {
            this.logger.warn(
              `skipped a revocation that breaks its contract (partition ${partition}, offset ${message.offset}): ${decoded.reason}`,
            );
            return;
          }
          this.cache.evict(decoded.value.payload.keyId);
        },
      });
    } catch (err) {
      this.joined = false;
      await consumer.disconnect().catch(() => undefined);
      this.scheduleRetry((err as Error).message);
    }
  }

  /** Starts a new consumer after a back-off, unless one is already due or shutdown has begun. */
  private scheduleRetry(reason: string): void {
    if (this.stopped || this.retry) return;
    const wait = revocationRetryDelayMs(this.attempts++);
    this.logger.warn(
      `cannot read API key revocations (${reason}); retrying in ${wait / 1000} s (revoked keys expire from the cache within 30 s meanwhile)`,
    );
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.restart();
    }, wait);
    this.retry.unref();
  }

  private async restart(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    if (!this.consumer) return;
    await this.consumer.disconnect().catch(() => undefined);
    // The group is this replica's alone: leave nothing behind on the broker.
    await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
  }
}
