import {
  checkedKafkaConnection,
  kafkaConnectionEnvShape,
  type KafkaConnection,
} from '@reverie/kafka';
import { bundledDatasetsDir, parseEnv } from '@reverie/service-kit';
import { z } from 'zod';
import { stderrIsTty } from '../heap-worker';

/** Where the CLI finds the gateway, its key and the bundled datasets (flags override these). */
export function cliDefaults(env: Record<string, string | undefined> = process.env) {
  return {
    url: env.REVERIE_URL ?? 'http://localhost:3000',
    apiKey: env.REVERIE_API_KEY,
    /** For `reverie dlq`, which reads and replays dead letters on Kafka directly. */
    kafkaBrokers: env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    datasetsDir: env.DATASETS_DIR ?? bundledDatasetsDir(),
    /** Progress goes to stderr: redrawn in place when stderr is a terminal (`> out.json` keeps it live). */
    isTty: stderrIsTty(),
  };
}

/**
 * TLS and SASL for `reverie dlq`, from the variables the services read (`KAFKA_SSL`,
 * `KAFKA_SSL_CA_FILE`, `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`).
 * Throws an Error naming each wrong variable.
 */
export function kafkaConnectionOf(
  env: Record<string, string | undefined> = process.env,
): KafkaConnection {
  const parsed = parseEnv(z.object(kafkaConnectionEnvShape), env);
  try {
    return checkedKafkaConnection(parsed);
  } catch (err) {
    throw new Error(`invalid configuration: ${(err as Error).message}`);
  }
}
