import { bundledDatasetsDir } from '@reverie/service-kit';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInt, UsageError } from './options';

export interface TriageBenchOptions {
  /** Times the 20-log dataset is repeated in each measured batch (10: 200 sessions). */
  repeat: number;
  /** RUN_CONCURRENCY of each orchestrator replica: sessions one replica runs at once. */
  concurrency: number;
  /** Sessions in the unmeasured warm-up batch of each phase. */
  warmup: number;
  /** Give up on a batch after this long. */
  timeoutMs: number;
  /** How often the batch is polled (GET /v1/batches/:id); bounds the error on the time. */
  pollMs: number;
  /** The folder holding `ci-breakages/` (DATASETS_DIR, as the orchestrator reads it). */
  datasetsDir: string;
  kafkaBrokers: string[];
  mongoUrl: string;
}

export const TRIAGE_USAGE =
  'usage: npm run bench:triage -- [--repeat 10] [--concurrency 4] [--warmup 10] [--timeout 120]\n' +
  '       (reads KAFKA_BROKERS, default 127.0.0.1:9092, MONGO_URL, default mongodb://127.0.0.1:27017,\n' +
  '        DATASETS_DIR, default <repo>/datasets, and BENCH_LOG_LEVEL for the\n' +
  '        services, default warn)';

export function readTriageOptions(
  argv = process.argv.slice(2),
  env = process.env,
): TriageBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        repeat: { type: 'string' },
        concurrency: { type: 'string' },
        warmup: { type: 'string' },
        timeout: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const options: TriageBenchOptions = {
    repeat: positiveInt('repeat', values.repeat, 10),
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    warmup: positiveInt('warmup', values.warmup, 10),
    timeoutMs: positiveInt('timeout', values.timeout, 120) * 1_000,
    pollMs: 250,
    datasetsDir: resolve(env.DATASETS_DIR ?? bundledDatasetsDir()),
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    mongoUrl: env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
  };
  // The orchestrator's RUN_CONCURRENCY and the gateway's MAX_BATCH_TASKS bound these.
  if (options.concurrency > 1_000) throw new UsageError('--concurrency must be at most 1000');
  if (options.warmup > 1_000) throw new UsageError('--warmup must be at most 1000');
  if (options.repeat > 50) throw new UsageError('--repeat must be at most 50 (1000 tasks a batch)');
  return options;
}
