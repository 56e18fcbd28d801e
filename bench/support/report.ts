import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './options';

/** The gateway must keep at least this share of the raw producer's rate. */
export const TARGET_RATIO = 0.5;
/** ... and this share of what raw `insertMany` of the same events gets into the same server. */
export const TARGET_INSERT_RATIO = 0.8;

export interface GatewayTiming {
  events: number;
  requests: number;
  /** From the first POST until every POST was answered 202. */
  acceptMs: number;
  /** From the first POST until MongoDB held every event. */
  storedMs: number;
  /** CPU time (user + system) of this process over the same span: load-independent cost. */
  cpuMs?: number;
}

/** One replica of the split gateway over the measured span, from /proc. */
export interface ReplicaStats {
  name: string;
  /** CPU time (user + system) of that process from the first POST until all were stored. */
  cpuMs?: number;
  /** Resident memory at the end of the measured run, and the most it had until then. */
  rssMiB?: number;
  peakRssMiB?: number;
}

/** The split gateway's run: cpuMs is every replica's plus this process's (the clients'). */
export interface SplitTiming extends GatewayTiming {
  replicas: ReplicaStats[];
  /** This process's CPU over the span: the client thread and the stored-count polling. */
  benchCpuMs: number;
}

export interface RawTiming {
  events: number;
  sends: number;
  /** From the first send until every send was acknowledged. */
  ackMs: number;
  /** CPU time (user + system) of this process over the same span. */
  cpuMs?: number;
}

/** One round: the path under test, then the raw producer and raw `insertMany` on the same events. */
export interface RoundTiming<G extends GatewayTiming = GatewayTiming> {
  gateway: G;
  raw: RawTiming;
  insertMany: RawTiming;
}

/** A round with its rates, and the path's ratios to the raw runs of the same round. */
export interface RoundResult<G extends GatewayTiming = GatewayTiming> {
  gateway: G & { acceptRate: number; endToEndRate: number };
  raw: RawTiming & { rate: number };
  insertMany: RawTiming & { rate: number };
  /** End-to-end rate / raw producer rate. */
  ratio: number;
  /** HTTP-accept rate / raw producer rate (HTTP + Kafka only, no storing). */
  acceptRatio: number;
  /** End-to-end rate / raw insertMany rate. */
  insertManyRatio: number;
}

/**
 * A path's rounds and its verdicts. A verdict is on the median over the rounds of each round's
 * ratio: a round's path and raw runs run back to back, so what else loads the machine moves both,
 * while a single run's producer rate alone moves up to 2x from run to run here.
 */
export interface PathResult<G extends GatewayTiming = GatewayTiming> {
  rounds: RoundResult<G>[];
  ratio: number;
  ratioRange: [number, number];
  acceptRatio: number;
  insertManyRatio: number;
  insertManyRatioRange: [number, number];
  pass: boolean;
  insertManyPass: boolean;
}

export interface BenchResult {
  benchmark: 'ingest';
  date: string;
  node: string;
  machine: { os: string; arch: string; cpu: string; cpus: number; memoryGiB: number };
  /** 1-minute load average when the result was built: how shared the CPUs were. */
  loadAverage?: number;
  /** The code measured: `git describe --always --dirty` of the checkout the bench ran in. */
  commit?: string;
  stack: { kafkaBrokers: string[]; mongoUrl: string };
  parameters: {
    /** Events in each round's measured runs. */
    events: number;
    rounds: number;
    batch: number;
    concurrency: number;
    sessionsPerClient: number;
    partitions: number;
    warmupEvents: number;
    meanEnvelopeBytes: number;
    /** The gateway settings a run may change from the environment (unset: the defaults). */
    env?: Record<string, string>;
  };
  target: number;
  insertManyTarget: number;
  /** The gateway in this process (HTTP, Kafka consumer and clients on one thread each). */
  gateway: PathResult;
  /** Resident memory of the bench process (gateway, its consumer and the clients) at the end. */
  rssMiB?: number;
  /** With --split: the same events through an HTTP replica and an ingest replica (processes). */
  split?: PathResult<SplitTiming>;
}

const perSecond = (events: number, ms: number) => Math.round((events * 1_000) / ms);
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/** The middle value (the lower of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** What of the environment changes the gateway under test (see gateway-path, split-gateway). */
const BENCH_ENV_KEYS = [
  'EVENT_MESSAGES',
  'INGEST_PARTITIONS_CONCURRENTLY',
  'INGEST_MAX_BATCH',
  'BENCH_REPLICA_NODE_OPTIONS',
];

function benchEnv(): Record<string, string> {
  return Object.fromEntries(
    BENCH_ENV_KEYS.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : [])),
  );
}

export function buildResult(
  options: BenchOptions,
  meanEnvelopeBytes: number,
  gateway: RoundTiming[],
  split?: RoundTiming<SplitTiming>[],
): BenchResult {
  return {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    loadAverage: round(loadavg()[0], 2),
    commit: gitDescribe(),
    stack: { kafkaBrokers: options.kafkaBrokers, mongoUrl: options.mongoUrl },
    parameters: {
      events: options.events,
      rounds: options.rounds,
      batch: options.batch,
      concurrency: options.concurrency,
      sessionsPerClient: options.sessionsPerClient,
      partitions: options.partitions,
      warmupEvents: options.warmup,
      meanEnvelopeBytes,
      env: benchEnv(),
    },
    target: TARGET_RATIO,
    insertManyTarget: TARGET_INSERT_RATIO,
    gateway: pathResult(gateway),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    ...(split ? { split: pathResult(split) } : {}),
  };
}

/** Each round's rates and ratios, and the medians the verdicts are on. */
export function pathResult<G extends GatewayTiming>(timings: RoundTiming<G>[]): PathResult<G> {
  const rounds = timings.map(roundResult);
  const ratios = rounds.map((r) => r.ratio);
  const insertRatios = rounds.map((r) => r.insertManyRatio);
  const ratio = median(ratios);
  const insertManyRatio = median(insertRatios);
  return {
    rounds,
    ratio,
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    acceptRatio: median(rounds.map((r) => r.acceptRatio)),
    insertManyRatio,
    insertManyRatioRange: [Math.min(...insertRatios), Math.max(...insertRatios)],
    pass: ratio >= TARGET_RATIO,
    insertManyPass: insertManyRatio >= TARGET_INSERT_RATIO,
  };
}

function roundResult<G extends GatewayTiming>({
  gateway,
  raw,
  insertMany,
}: RoundTiming<G>): RoundResult<G> {
  const endToEndRate = perSecond(gateway.events, gateway.storedMs);
  const acceptRate = perSecond(gateway.events, gateway.acceptMs);
  const rawRate = perSecond(raw.events, raw.ackMs);
  const insertRate = perSecond(insertMany.events, insertMany.ackMs);
  return {
    gateway: { ...gateway, acceptRate, endToEndRate },
    raw: { ...raw, rate: rawRate },
    insertMany: { ...insertMany, rate: insertRate },
    ratio: round(endToEndRate / rawRate),
    acceptRatio: round(acceptRate / rawRate),
    insertManyRatio: round(endToEndRate / insertRate),
  };
}

/** Which code a result measured; undefined outside a git checkout. */
function gitDescribe(): string | undefined {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: __dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** The machine a result was measured on. */
export function machineInfo() {
  const cpuList = cpus();
  return {
    os: `${osType()} ${release()}`,
    arch: arch(),
    cpu: cpuList[0]?.model ?? 'unknown',
    cpus: cpuList.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
  };
}

/**
 * Writes `<benchmark>-<date>.json` and overwrites `<benchmark>-latest.json`; returns the dated
 * path.
 */
export function writeResult(
  result: { benchmark: string; date: string },
  dir = join(__dirname, '..', 'results'),
): string {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  // Colons are not allowed in file names everywhere; keep the ISO shape otherwise.
  const stamp = result.date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const dated = join(dir, `${result.benchmark}-${stamp}.json`);
  writeFileSync(dated, json);
  writeFileSync(join(dir, `${result.benchmark}-latest.json`), json);
  return dated;
}

const n = (x: number) => x.toLocaleString('en-US');
/** CPU per event of a run: what the path costs whatever the load on the machine. */
const usPerEvent = (cpuMs: number | undefined, events: number) =>
  cpuMs === undefined ? '?' : `${((cpuMs * 1_000) / events).toFixed(0)} us`;

export function formatTable(r: BenchResult): string {
  const p = r.parameters;
  return [
    '',
    `ingest bench: ${n(p.events)} events a round, ${p.rounds} rounds, batch ${p.batch}, ${p.concurrency} clients x ${p.sessionsPerClient} sessions, ${p.partitions} partitions, ~${p.meanEnvelopeBytes} B/event, node ${r.node}, ${r.machine.cpus} CPUs, load ${r.loadAverage}`,
    ...(p.env && Object.keys(p.env).length
      ? [
          `  env: ${Object.entries(p.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        ]
      : []),
    '  each round: the path (HTTP -> MongoDB), then on the same events the raw kafkajs producer',
    '  (acks -1) and raw insertMany (one document per event, same server); rates in events/s',
    '  in-process gateway (HTTP, ingest consumer and clients in this process):',
    ...formatPath(r.gateway, r),
    `    bench process RSS: ${r.rssMiB} MiB`,
    ...(r.split ? formatSplit(r.split, r) : []),
  ].join('\n');
}

/** A path's rounds as a table, then its verdicts on the medians. */
function formatPath(path: PathResult, r: BenchResult): string[] {
  const header = [
    'round',
    'accepted',
    'stored',
    'CPU/ev',
    'producer',
    'CPU/ev',
    'insertMany',
    'CPU/ev',
    'stored/producer',
    'stored/insertMany',
  ];
  const rows = path.rounds.map((x, i) => [
    String(i + 1),
    n(x.gateway.acceptRate),
    n(x.gateway.endToEndRate),
    usPerEvent(x.gateway.cpuMs, x.gateway.events),
    n(x.raw.rate),
    usPerEvent(x.raw.cpuMs, x.raw.events),
    n(x.insertMany.rate),
    usPerEvent(x.insertMany.cpuMs, x.insertMany.events),
    x.ratio.toFixed(2),
    x.insertManyRatio.toFixed(2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    `    ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')}`;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const range = ([lo, hi]: [number, number]) => `${lo.toFixed(2)}-${hi.toFixed(2)}`;
  return [
    line(header),
    ...rows.map(line),
    `    median stored/producer ${path.ratio.toFixed(2)} (rounds ${range(path.ratioRange)}; accepted/producer ${path.acceptRatio.toFixed(2)}); target >= ${r.target}: ${verdict(path.pass)}`,
    `    median stored/insertMany ${path.insertManyRatio.toFixed(2)} (rounds ${range(path.insertManyRatioRange)}); target >= ${r.insertManyTarget}: ${verdict(path.insertManyPass)}`,
  ];
}

/** The split gateway's table, then each replica's CPU per event by round and its memory. */
function formatSplit(split: PathResult<SplitTiming>, r: BenchResult): string[] {
  const last = split.rounds[split.rounds.length - 1].gateway;
  const byRound = (cpu: (g: SplitTiming) => number | undefined) =>
    split.rounds.map((x) => usPerEvent(cpu(x.gateway), x.gateway.events)).join(' / ');
  return [
    '  split gateway (an HTTP replica and an ingest replica, each its own process; CPU/ev: all processes):',
    ...formatPath(split, r),
    ...last.replicas.map(
      (replica, i) =>
        `    ${replica.name.padEnd(15)} ${byRound((g) => g.replicas[i]?.cpuMs)} CPU/ev by round; RSS ${replica.rssMiB ?? '?'} MiB at the end (peak ${replica.peakRssMiB ?? '?'})`,
    ),
    `    ${'bench process'.padEnd(15)} ${byRound((g) => g.benchCpuMs)} CPU/ev by round (clients, polling)`,
  ];
}

/** Prints "<label>: x/N <what>" about once a second while a run is going. */
export class Progress {
  private readonly counts = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  set(what: string, value: number): void {
    this.counts.set(what, value);
  }

  add(what: string, delta: number): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + delta);
  }

  start(): this {
    this.timer = setInterval(() => this.print(), 1_000);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.print();
  }

  private print(): void {
    const parts = [...this.counts].map(([what, n]) => `${n}/${this.total} ${what}`);
    process.stdout.write(`${this.label}: ${parts.join(', ')}\n`);
  }
}
