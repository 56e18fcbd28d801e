import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { decodeMessage, TOPICS } from '@reverie/contracts';
import { KAFKA_ADMIN, KAFKA_CLIENT, KAFKA_SETTINGS, type KafkaSettings } from '@reverie/kafka';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { ORCHESTRATION_OPTIONS, type OrchestrationOptions } from '../orchestration.options';
import { PlaybookCatalog } from './playbook-catalog';

/**
 * Keeps the catalog in step with the compacted playbook topic. Every replica must see every
 * playbook, so each reads with a group of its own, from the beginning; start-up waits until it
 * has read what the topic held when it started (bounded), so the first sessions already run with
 * the current playbooks.
 *
 * The catalog lives in memory, so every start reads the whole topic again: the group is new each
 * start (the replica id, which a deployment may keep across restarts, plus a random part) and
 * commits nothing. A group left behind by a replica that was killed (its shutdown never deleted
 * it) with offsets at the topic's end would otherwise start the restarted replica with no
 * playbooks at all.
 */
@Injectable()
export class PlaybookCatalogConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PlaybookCatalogConsumer.name);
  private consumer?: Consumer;
  private readonly groupId: string;

  constructor(
    private readonly catalog: PlaybookCatalog,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(ORCHESTRATION_OPTIONS) private readonly options: OrchestrationOptions,
  ) {
    this.groupId = `${settings.groupId}-playbooks-${options.replicaId}-${randomBytes(4).toString('hex')}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const topic = TOPICS.playbookVersions;
    const pending = new Map<number, bigint>();
    for (const p of await this.admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) pending.set(p.partition, BigInt(p.high));
    }
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    if (pending.size === 0) caughtUp();

    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: this.settings.heartbeatIntervalMs,
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        this.read(payload);
        const reached = BigInt(payload.batch.lastOffset()) + 1n;
        const wanted = pending.get(payload.batch.partition);
        if (wanted !== undefined && reached >= wanted) {
          pending.delete(payload.batch.partition);
          if (pending.size === 0) caughtUp();
        }
      },
    });
    const timeoutMs = this.options.playbookCatchUpTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      ready.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.logger.warn(
        `playbooks not fully read after ${timeoutMs} ms; starting anyway, sessions may run with an older playbook until they are`,
      );
    this.logger.log(`knows ${this.catalog.size} playbook(s) (group ${this.groupId})`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.consumer) return;
    await this.consumer.disconnect();
    this.consumer = undefined;
    // The group is this replica's alone and never reused: remove it rather than leave it behind.
    await this.admin.deleteGroups([this.groupId]).catch((err: Error) => {
      this.logger.warn(`could not delete consumer group ${this.groupId}: ${err.message}`);
    });
  }

  private read({ batch }: EachBatchPayload): void {
    for (const message of batch.messages) {
      if (message.value === null) {
        if (message.key) this.catalog.forget(message.key.toString());
        continue;
      }
      const decoded = decodeMessage(TOPICS.playbookVersions, message.value);
      if (!decoded.ok) {
        this.logger.warn(
          `ignored ${batch.topic}[${batch.partition}]@${message.offset}: ${decoded.reason}`,
        );
        continue;
      }
      const active = this.catalog.activate(decoded.value);
      this.logger.log(
        `playbook ${active.playbookId} v${active.version} is active for ${decoded.value.agentId}${active.role ? `/${active.role}` : ''}`,
      );
    }
  }
}
