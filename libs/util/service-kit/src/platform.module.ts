import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaModule, type TopicSpec } from '@reverie/kafka';
import type { ServiceConfig } from './config/service-config';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface PlatformOptions {
  /** Topics the service produces to or consumes from; created at startup when missing. */
  topics: TopicSpec[];
}

/**
 * What every Reverie service has: its validated config, a MongoDB connection, Kafka (admin,
 * producer, publisher, topics created at startup) and the health endpoints.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot<C extends ServiceConfig>(config: C, options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ ...config })],
        }),
        MongooseModule.forRoot(config.mongo.url, {
          dbName: config.mongo.db,
          serverSelectionTimeoutMS: 5_000,
          retryAttempts: 5,
          retryDelay: 1_000,
        }),
        KafkaModule.forRoot({ settings: config.kafka, topics: options.topics }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [{ provide: SERVICE_CONFIG, useValue: config }, KafkaHealthIndicator],
      exports: [SERVICE_CONFIG],
    };
  }
}
