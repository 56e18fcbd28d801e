import { resolve } from 'node:path';
import { EVENT_MESSAGE_FORMS, type EventMessages } from '@reverie/kafka';
import {
  datasetsDirFrom,
  datasetsEnvShape,
  envInt,
  parseEnv,
  serviceEnvSchema,
  toServiceConfig,
  type ServiceConfig,
} from '@reverie/service-kit';
import { MIGRATIONS_MODES, type MigrationsMode } from '@reverie/sessions-data-access';
import { allowedHostsEnvSchema } from '@reverie/webhooks-domain';
import { z } from 'zod';

const gatewayEnvSchema = serviceEnvSchema.extend({
  PORT: envInt(0, 65_535).default(3000),
  /** The datasets managed tasks name items of (triage case ids), checked when a run is asked for. */
  ...datasetsEnvShape,
  /** Run the consumer that stores session events (turn off for HTTP-only replicas). */
  INGEST_ENABLED: z.enum(['true', 'false']).default('true'),
  /**
   * Partitions of the session topic whose batches the ingest stores at once (order still holds
   * within each). Each waits mostly on MongoDB round trips, so a few in parallel keep the store
   * and this process busy; past the partitions a replica owns it changes nothing.
   */
  INGEST_PARTITIONS_CONCURRENTLY: envInt(1, 64).default(3),
  /**
   * Most messages one ingest handler call stores: its sessions' pages and watermarks are written
   * with a few round trips per call, so larger calls make fewer of them. A failing call is split
   * in halves to find the message that fails, so this also bounds that search.
   */
  INGEST_MAX_BATCH: envInt(1, 10_000).default(2_000),
  MAX_EVENTS_PER_REQUEST: envInt(1, 10_000).default(500),
  /** Kafka's default message size limit is 1 MiB; one event must fit well inside it. */
  MAX_EVENT_BYTES: envInt(1_024, 900_000).default(262_144),
  /**
   * How a request's events go to Kafka: `batch`, one `session.events_appended` per request (per
   * part of about 900 kB); `single`, one `session.event_appended` per event, for ingest consumers
   * of a version that does not read `session.events_appended` yet (set it while upgrading one).
   */
  EVENT_MESSAGES: z.enum(EVENT_MESSAGE_FORMS).default('batch'),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'must look like 512kb or 10mb')
    .default('10mb'),
  /**
   * Internal hosts, addresses or CIDRs webhooks may be registered for (development only, e.g.
   * `127.0.0.1,localhost`); set the same on the dreamer, which checks again when delivering.
   */
  WEBHOOK_ALLOWED_HOSTS: allowedHostsEnvSchema,
  /** The operator console's built bundle, served at /console (relative to the working dir). */
  CONSOLE_DIR: z.string().min(1).default('dist/apps/console'),
  /**
   * Data stored by earlier versions at start-up: `run` migrates it (the single-machine stack),
   * `check` refuses to start while any is pending (a cluster, where the Helm chart's Job migrates),
   * `warn` logs and starts anyway.
   */
  MIGRATIONS: z.enum(MIGRATIONS_MODES).default('run'),
});

export interface GatewayConfig extends ServiceConfig {
  ingestEnabled: boolean;
  ingestPartitionsConcurrently: number;
  ingestMaxBatch: number;
  maxEventsPerRequest: number;
  maxEventBytes: number;
  eventMessages: EventMessages;
  httpBodyLimit: string;
  webhookAllowedHosts: string[];
  consoleDir: string;
  migrations: MigrationsMode;
  /** The same folder the orchestrator reads cases from (DATASETS_DIR; the image ships it). */
  datasetsDir: string;
}

export function loadGatewayConfig(
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  const parsed = parseEnv(gatewayEnvSchema, env);
  return {
    ...toServiceConfig('session-gateway', parsed.PORT, parsed),
    ingestEnabled: parsed.INGEST_ENABLED === 'true',
    ingestPartitionsConcurrently: parsed.INGEST_PARTITIONS_CONCURRENTLY,
    ingestMaxBatch: parsed.INGEST_MAX_BATCH,
    maxEventsPerRequest: parsed.MAX_EVENTS_PER_REQUEST,
    maxEventBytes: parsed.MAX_EVENT_BYTES,
    eventMessages: parsed.EVENT_MESSAGES,
    httpBodyLimit: parsed.HTTP_BODY_LIMIT,
    webhookAllowedHosts: parsed.WEBHOOK_ALLOWED_HOSTS,
    consoleDir: resolve(parsed.CONSOLE_DIR),
    migrations: parsed.MIGRATIONS,
    datasetsDir: datasetsDirFrom(parsed),
  };
}
