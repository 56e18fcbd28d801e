import { bundledDatasetsDir } from '@reverie/service-kit';

/** Where the CLI finds the gateway, its key and the bundled datasets (flags override these). */
export function cliDefaults(env: Record<string, string | undefined> = process.env) {
  return {
    url: env.REVERIE_URL ?? 'http://localhost:3000',
    apiKey: env.REVERIE_API_KEY,
    /** For `reverie dlq`, which reads and replays dead letters on Kafka directly. */
    kafkaBrokers: env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    datasetsDir: env.DATASETS_DIR ?? bundledDatasetsDir(),
    isTty: Boolean(process.stdout.isTTY),
  };
}
