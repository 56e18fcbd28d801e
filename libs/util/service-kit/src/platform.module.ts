import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { TerminusModule } from '@nestjs/terminus';
import { KafkaModule, type TopicSpec } from '@reverie/kafka';
import { TelemetryModule, traceMongoWrites, tracingEnabled } from '@reverie/telemetry';
import type { Connection } from 'mongoose';
import type { ServiceConfig } from './config/service-config';
import { HealthController } from './health/health.controller';
import { ConsumersHealthIndicator, ConsumerStartup } from './health/consumers.health';
import { KafkaHealthIndicator } from './health/kafka.health';
import { MongoHealthIndicator } from './health/mongo.health';
import { guardDriverWrites } from './mongo/driver-write-guard';
import { recreateIndexesOnReconnect } from './mongo/index-recovery';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** Mongoose reads this connection option (lib/drivers/.../connection.js); its types omit it. */
const BUFFER_TIMEOUT: Record<string, unknown> = { bufferTimeoutMS: 3_000 };

export interface PlatformOptions {
  /** Topics the service produces to or consumes from; created at startup when missing. */
  topics: TopicSpec[];
}

/**
 * What every Reverie service has: its validated config, a MongoDB connection (with bounded
 * timeouts, and indexes recreated whenever MongoDB comes back), Kafka (admin, producer, publisher,
 * topics created at startup), the health endpoints, and `/metrics` with `ReverieMetrics`. While
 * tracing is on (started before the module is built), every MongoDB write is a span.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot<C extends ServiceConfig>(config: C, options: PlatformOptions): DynamicModule {
    const traced = tracingEnabled();
    // Before any connection exists: a write on a socket that is going away must fail, not hang
    // (a hung heartbeat stops the driver's monitor for good; see guardDriverWrites).
    guardDriverWrites();
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
          // While MongoDB is down a request fails within about 3 s (503 with Retry-After)
          // instead of waiting: the driver gives up choosing a server after 3 s, mongoose
          // stops buffering an operation after 3 s, and a lost server is noticed within 2 s.
          serverSelectionTimeoutMS: 3_000,
          heartbeatFrequencyMS: 2_000,
          ...BUFFER_TIMEOUT,
          retryAttempts: 5,
          retryDelay: 1_000,
          // Command events feed the MongoDB write spans; off (no events) while tracing is.
          monitorCommands: traced,
          connectionFactory: (connection: Connection) => {
            recreateIndexesOnReconnect(connection);
            if (traced) traceMongoWrites(connection.getClient());
            return connection;
          },
        }),
        KafkaModule.forRoot({ settings: config.kafka, topics: options.topics }),
        TerminusModule.forRoot({ logger: false }),
        TelemetryModule.forRoot(config.service),
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        KafkaHealthIndicator,
        MongoHealthIndicator,
        ConsumerStartup,
        ConsumersHealthIndicator,
      ],
      exports: [SERVICE_CONFIG, ConsumerStartup],
    };
  }
}
