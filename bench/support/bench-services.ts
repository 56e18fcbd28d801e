/**
 * What the benchmarks that run services in-process share: the env a service is configured with,
 * and the real gateway (HTTP + ingest consumer) with its group moved past what others left.
 */
import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { startService } from '@reverie/service-kit';
import type { Admin } from 'kafkajs';
import { gatewayService } from '../../apps/session-gateway/src/app.module';
import {
  loadGatewayConfig,
  type GatewayConfig,
} from '../../apps/session-gateway/src/config/gateway.config';
import { startGroupAtEnd } from './bench-stack';

export interface BenchStackOptions {
  kafkaBrokers: string[];
  mongoUrl: string;
}

/** The env of one in-process service on port 0, in database `db` with consumer group `groupId`. */
export function benchServiceEnv(
  options: BenchStackOptions,
  db: string,
  groupId: string,
  logLevel = process.env.BENCH_LOG_LEVEL ?? 'warn',
) {
  return {
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    MONGO_URL: options.mongoUrl,
    MONGO_DB: db,
    KAFKA_GROUP_ID: groupId,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: logLevel,
    KAFKA_SESSION_TIMEOUT_MS: '10000',
  };
}

export interface BenchGateway {
  app: INestApplication;
  config: GatewayConfig;
  baseUrl: string;
}

/** The real gateway in this process, its ingest group at the end of the session topic. */
export async function startBenchGateway(
  env: Record<string, string>,
  admin: Admin,
): Promise<BenchGateway> {
  const config = loadGatewayConfig(env);
  await startGroupAtEnd(admin, config.kafka.groupId, TOPICS.sessionEvents);
  const app = await startService(gatewayService, config);
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, config, baseUrl };
}
