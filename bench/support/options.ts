import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Events in each measured run (gateway and raw). */
  events: number;
  /**
   * Measured rounds of each path: the path, then the raw runs on the same events. The verdicts are
   * on the median round, as one run's rates move up to 2x with what else the machine does.
   */
  rounds: number;
  /** Events per HTTP request, and per producer.send() in the raw run. */
  batch: number;
  /** Concurrent clients; each has its own sessions and one request in flight at a time. */
  concurrency: number;
  /** Sessions per client: spreads the keys over several partitions, as real traffic would. */
  sessionsPerClient: number;
  /** Events in the unmeasured warm-up of each path (JIT, connections, group join). */
  warmup: number;
  /** Give up waiting for MongoDB after this long. */
  timeoutMs: number;
  kafkaBrokers: string[];
  mongoUrl: string;
  /** The gateway's topic partition count, reused for the raw bench topic. */
  partitions: number;
  /** Print where the gateway path spends its time (see profile.ts). */
  profile: boolean;
  /**
   * Also measure the gateway as deployed, after the in-process run: an HTTP replica and an ingest
   * replica, each its own process (see split-gateway.ts).
   */
  split: boolean;
}

export const USAGE =
  'usage: npm run bench:ingest -- [--events 20000] [--rounds 3] [--batch 500] [--concurrency 4] ' +
  '[--sessions-per-client 2] [--warmup 10000] [--timeout 90] [--profile] [--split]\n' +
  '       (reads KAFKA_BROKERS, default 127.0.0.1:9092, and MONGO_URL, default mongodb://127.0.0.1:27017)';

/** A bad command line: reported as one line plus the usage. */
export class UsageError extends Error {}

export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export function readOptions(argv = process.argv.slice(2), env = process.env): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        events: { type: 'string' },
        rounds: { type: 'string' },
        batch: { type: 'string' },
        concurrency: { type: 'string' },
        'sessions-per-client': { type: 'string' },
        warmup: { type: 'string' },
        timeout: { type: 'string' },
        profile: { type: 'boolean', default: false },
        split: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const options: BenchOptions = {
    events: positiveInt('events', values.events, 20_000),
    rounds: positiveInt('rounds', values.rounds, 3),
    batch: positiveInt('batch', values.batch, 500),
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    sessionsPerClient: positiveInt('sessions-per-client', values['sessions-per-client'], 2),
    warmup: positiveInt('warmup', values.warmup, 10_000),
    timeoutMs: positiveInt('timeout', values.timeout, 90) * 1_000,
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    mongoUrl: env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
    partitions: 6,
    profile: values.profile ?? false,
    split: values.split ?? false,
  };
  // The gateway rejects bigger requests (MAX_EVENTS_PER_REQUEST defaults to 500).
  if (options.batch > 10_000) throw new UsageError('--batch must be at most 10000');
  return options;
}
