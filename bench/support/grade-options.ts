import { parseArgs } from 'node:util';
import { positiveInt, UsageError } from './options';

export interface GradeBenchOptions {
  /** Sessions ended (and graded) in the measured phase. */
  sessions: number;
  /** Measured phases, in order, in one growing store (`--sizes 200,1000,5000`); else [sessions]. */
  sizes: number[];
  /** Sessions in the unmeasured warm-up (JIT, connections, the first reads of each collection). */
  warmup: number;
  /** The grader's GRADE_CONCURRENCY; undefined: the service's default. */
  concurrency?: number;
  /** Give up on each wait (events stored, sessions graded) after this long. */
  timeoutMs: number;
  /** How often MongoDB is polled; bounds the error on the measured time. */
  pollMs: number;
  /** Sessions published to Kafka at once while loading the events (not measured). */
  loaders: number;
  kafkaBrokers: string[];
  mongoUrl: string;
  /** LOG_LEVEL of the gateway and the grader. */
  logLevel: string;
}

export const GRADE_USAGE =
  'usage: npm run bench:grade -- [--sessions 500 | --sizes 200,1000,5000] [--warmup 20] [--concurrency <GRADE_CONCURRENCY, default the service default>] [--timeout 300]\n' +
  '       (reads KAFKA_BROKERS, default 127.0.0.1:9092, MONGO_URL, default mongodb://127.0.0.1:27017,\n' +
  '        and BENCH_LOG_LEVEL for the services, default warn)';

export function readGradeOptions(
  argv = process.argv.slice(2),
  env = process.env,
): GradeBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sessions: { type: 'string' },
        sizes: { type: 'string' },
        warmup: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const sizes = (values.sizes ?? '')
    .split(',')
    .filter(Boolean)
    .map((n) => positiveInt('sizes', n, 1));
  const sessions = positiveInt('sessions', values.sessions, 500);
  const options: GradeBenchOptions = {
    sessions: sizes.at(-1) ?? sessions,
    sizes: sizes.length ? sizes : [sessions],
    warmup: positiveInt('warmup', values.warmup, 20),
    ...(values.concurrency === undefined
      ? {}
      : { concurrency: positiveInt('concurrency', values.concurrency, 1) }),
    timeoutMs: positiveInt('timeout', values.timeout, 300) * 1_000,
    pollMs: 100,
    loaders: 4,
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    mongoUrl: env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
    logLevel: env.BENCH_LOG_LEVEL ?? 'warn',
  };
  // The grader's own bound on GRADE_CONCURRENCY.
  if (options.concurrency !== undefined && options.concurrency > 200) {
    throw new UsageError('--concurrency must be at most 200 (the limit of GRADE_CONCURRENCY)');
  }
  if (options.sessions > 100_000) throw new UsageError('--sessions must be at most 100000');
  if (options.warmup > 10_000) throw new UsageError('--warmup must be at most 10000');
  return options;
}
