import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createKafka, createProducer } from './create-kafka';
import { ConsumerHealth } from './consumer-health';
import { ensureTopics, type TopicSpec } from './ensure-topics';
import { EventPublisher } from './event-publisher';
import { HandlerErrorInterceptor } from './handler-error.interceptor';
import type { KafkaSettings } from './kafka-settings';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const KAFKA_TOPICS = Symbol('KAFKA_TOPICS');

export interface KafkaModuleOptions {
  settings: KafkaSettings;
  /** Topics this service produces to or consumes from; created at startup if missing. */
  topics: TopicSpec[];
}

/**
 * Connects the admin client and producer, creates topics at startup and waits for their leaders
 * (see ensureTopics), flushes on shutdown.
 */
@Injectable()
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');

  constructor(
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(KAFKA_TOPICS) private readonly topics: TopicSpec[],
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.admin.connect();
    const created = await ensureTopics(this.admin, this.topics, this.settings, {
      log: (line) => this.logger.warn(line),
    });
    if (created.length) this.logger.log(`created topics ${created.join(', ')}`);
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.logger.log('flushing the producer and disconnecting from Kafka');
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_SETTINGS, useValue: options.settings },
        { provide: KAFKA_TOPICS, useValue: options.topics },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(options.settings) },
        { provide: KAFKA_ADMIN, inject: [KAFKA_CLIENT], useFactory: (k: Kafka) => k.admin() },
        {
          provide: KAFKA_PRODUCER,
          inject: [KAFKA_CLIENT],
          useFactory: (k: Kafka) => createProducer(k),
        },
        {
          provide: EventPublisher,
          inject: [KAFKA_PRODUCER],
          useFactory: (p: Producer) => new EventPublisher(p),
        },
        // The consumer's state, written by KafkaBatchServer and read by readiness.
        { provide: ConsumerHealth, useValue: new ConsumerHealth() },
        // Keeps a Kafka handler's own error for the transport's failure policy.
        { provide: APP_INTERCEPTOR, useClass: HandlerErrorInterceptor },
        KafkaLifecycle,
      ],
      exports: [
        KAFKA_SETTINGS,
        KAFKA_CLIENT,
        KAFKA_ADMIN,
        KAFKA_PRODUCER,
        EventPublisher,
        ConsumerHealth,
      ],
    };
  }
}
