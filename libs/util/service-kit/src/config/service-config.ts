import {
  checkedKafkaConnection,
  DEFAULT_HANDLER_STALL_MS,
  kafkaConnectionEnvShape,
  type KafkaConnection,
  type KafkaSettings,
} from '@reverie/kafka';
import { telemetryEnvShape, telemetryFrom, type TelemetrySettings } from '@reverie/telemetry';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Environment variables every Reverie service reads. Services extend it with their own. */
export const serviceEnvSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  MONGO_URL: z
    .string({ error: 'is required (for example mongodb://127.0.0.1:27017)' })
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'must be a mongodb:// or mongodb+srv:// URL'),
  MONGO_DB: z.string().min(1).max(64).default('reverie'),
  KAFKA_BROKERS: z
    .string({ error: 'is required (comma-separated host:port, for example 127.0.0.1:9092)' })
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_GROUP_ID: z.string().min(1).optional(),
  KAFKA_TOPIC_PARTITIONS: int(1, 10_000).default(6),
  KAFKA_REPLICATION_FACTOR: int(1, 10).default(1),
  KAFKA_SESSION_TIMEOUT_MS: int(6_000, 300_000).default(30_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: int(500, 60_000).default(3_000),
  KAFKA_MAX_HANDLER_RETRIES: int(0, 100).default(5),
  KAFKA_HANDLER_STALL_MS: int(10_000, 86_400_000).default(DEFAULT_HANDLER_STALL_MS),
  // TLS and SASL (KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD).
  ...kafkaConnectionEnvShape,
  // LOG_FORMAT and OpenTelemetry's OTEL_* variables (see @reverie/telemetry).
  ...telemetryEnvShape,
});

export type LogLevelName = z.infer<typeof serviceEnvSchema>['LOG_LEVEL'];

/** The validated settings every service has. */
export interface ServiceConfig {
  service: string;
  host: string;
  port: number;
  logLevel: LogLevelName;
  mongo: { url: string; db: string };
  kafka: KafkaSettings;
  /** Log format and tracing; absent: JSON logs, tracing off. */
  telemetry?: TelemetrySettings;
}

/** Bad configuration: the message is one line naming each wrong variable. */
export class ConfigError extends Error {}

/**
 * Parses `env` with `schema`, or throws a ConfigError that lists every wrong variable. A variable
 * set to the empty string counts as unset (its default applies), as a deployment renders an
 * optional value it has none for (`ANTHROPIC_API_KEY: ""` from an empty secret): not a reason
 * for a service to refuse to start.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>) {
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(set);
  if (parsed.success) return parsed.data as z.infer<S>;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'env'} ${i.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/**
 * Maps the shared variables to ServiceConfig. What one variable cannot say alone (a SASL
 * mechanism without its password, a CA file that cannot be read) is a ConfigError here.
 */
export function toServiceConfig(
  service: string,
  port: number,
  env: z.infer<typeof serviceEnvSchema>,
): ServiceConfig {
  let connection: KafkaConnection;
  try {
    connection = checkedKafkaConnection(env);
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  return {
    service,
    host: env.HOST,
    port,
    logLevel: env.LOG_LEVEL,
    mongo: { url: env.MONGO_URL, db: env.MONGO_DB },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID ?? service,
      groupId: env.KAFKA_GROUP_ID ?? `reverie-${service}`,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS,
      maxHandlerRetries: env.KAFKA_MAX_HANDLER_RETRIES,
      handlerStallMs: env.KAFKA_HANDLER_STALL_MS,
      ...connection,
    },
    telemetry: telemetryFrom(env),
  };
}

/** Config of a service that needs only the shared variables plus PORT. */
export function loadServiceConfig(
  service: string,
  defaultPort: number,
  env: Record<string, string | undefined>,
): ServiceConfig {
  const schema = serviceEnvSchema.extend({ PORT: int(0, 65_535).default(defaultPort) });
  const parsed = parseEnv(schema, env);
  return toServiceConfig(service, parsed.PORT, parsed);
}

export { int as envInt };
