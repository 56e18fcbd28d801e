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

/** The gateway as deployed (HTTP replica + ingest replica), against the same raw baselines. */
export interface SplitResult {
  gateway: SplitTiming & { acceptRate: number; endToEndRate: number };
  /** End-to-end rate / raw producer rate. */
  ratio: number;
  acceptRatio: number;
  pass: boolean;
  insertManyRatio?: number;
  insertManyPass?: boolean;
}

export interface RawTiming {
  events: number;
  sends: number;
  /** From the first send until every send was acknowledged. */
  ackMs: number;
  /** CPU time (user + system) of this process over the same span. */
  cpuMs?: number;
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
    events: number;
    batch: number;
    concurrency: number;
    sessionsPerClient: number;
    partitions: number;
    warmupEvents: number;
    meanEnvelopeBytes: number;
    /** The gateway settings a run may change from the environment (unset: the defaults). */
    env?: Record<string, string>;
  };
  gateway: GatewayTiming & { acceptRate: number; endToEndRate: number };
  raw: RawTiming & { rate: number };
  /** Raw `insertMany` of the same events, one document each, into the same MongoDB server. */
  insertMany?: RawTiming & { rate: number };
  /** Gateway end-to-end rate / raw producer rate. */
  ratio: number;
  /** Gateway end-to-end rate / raw insertMany rate. */
  insertManyRatio?: number;
  insertManyTarget?: number;
  insertManyPass?: boolean;
  /** Resident memory of the bench process (gateway, its consumer and the clients) at the end. */
  rssMiB?: number;
  /** Gateway HTTP-accept rate / raw producer rate (HTTP + Kafka only, no storing). */
  acceptRatio: number;
  target: number;
  pass: boolean;
  /** With --split: the same events through an HTTP replica and an ingest replica (processes). */
  split?: SplitResult;
}

const perSecond = (events: number, ms: number) => Math.round((events * 1_000) / ms);
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

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
  gateway: GatewayTiming,
  raw: RawTiming,
  insert?: RawTiming,
  split?: SplitTiming,
): BenchResult {
  const endToEndRate = perSecond(gateway.events, gateway.storedMs);
  const acceptRate = perSecond(gateway.events, gateway.acceptMs);
  const rawRate = perSecond(raw.events, raw.ackMs);
  const ratio = round(endToEndRate / rawRate);
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
      batch: options.batch,
      concurrency: options.concurrency,
      sessionsPerClient: options.sessionsPerClient,
      partitions: options.partitions,
      warmupEvents: options.warmup,
      meanEnvelopeBytes,
      env: benchEnv(),
    },
    gateway: { ...gateway, acceptRate, endToEndRate },
    raw: { ...raw, rate: rawRate },
    ratio,
    acceptRatio: round(acceptRate / rawRate),
    target: TARGET_RATIO,
    pass: ratio >= TARGET_RATIO,
    ...(insert ? insertFields(endToEndRate, insert) : {}),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    ...(split ? { split: splitFields(split, rawRate, insert) } : {}),
  };
}

function splitFields(split: SplitTiming, rawRate: number, insert?: RawTiming): SplitResult {
  const endToEndRate = perSecond(split.events, split.storedMs);
  const acceptRate = perSecond(split.events, split.acceptMs);
  const ratio = round(endToEndRate / rawRate);
  const insertManyRatio = insert
    ? round(endToEndRate / perSecond(insert.events, insert.ackMs))
    : undefined;
  return {
    gateway: { ...split, acceptRate, endToEndRate },
    ratio,
    acceptRatio: round(acceptRate / rawRate),
    pass: ratio >= TARGET_RATIO,
    ...(insertManyRatio === undefined
      ? {}
      : { insertManyRatio, insertManyPass: insertManyRatio >= TARGET_INSERT_RATIO }),
  };
}

function insertFields(endToEndRate: number, insert: RawTiming) {
  const rate = perSecond(insert.events, insert.ackMs);
  const insertManyRatio = round(endToEndRate / rate);
  return {
    insertMany: { ...insert, rate },
    insertManyRatio,
    insertManyTarget: TARGET_INSERT_RATIO,
    insertManyPass: insertManyRatio >= TARGET_INSERT_RATIO,
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

export function formatTable(r: BenchResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const s = (ms: number) => `${(ms / 1_000).toFixed(2)} s`;
  // This process's CPU per event: what the path costs here whatever the load on the machine.
  const cpu = (t: { cpuMs?: number; events: number }) =>
    t.cpuMs === undefined ? '' : `${((t.cpuMs * 1_000) / t.events).toFixed(0)} us CPU/ev`;
  const rows: [string, string, string, string][] = [
    ['gateway, HTTP accepted (202)', s(r.gateway.acceptMs), `${n(r.gateway.acceptRate)} ev/s`, ''],
    [
      'gateway, HTTP -> MongoDB',
      s(r.gateway.storedMs),
      `${n(r.gateway.endToEndRate)} ev/s`,
      cpu(r.gateway),
    ],
    ['raw kafkajs producer (acks -1)', s(r.raw.ackMs), `${n(r.raw.rate)} ev/s`, cpu(r.raw)],
  ];
  if (r.insertMany)
    rows.push([
      'raw insertMany, 1 doc/event (same server)',
      s(r.insertMany.ackMs),
      `${n(r.insertMany.rate)} ev/s`,
      cpu(r.insertMany),
    ]);
  const width = Math.max(...rows.map((row) => row[0].length));
  const p = r.parameters;
  return [
    '',
    `ingest bench: ${n(p.events)} events, batch ${p.batch}, ${p.concurrency} clients x ${p.sessionsPerClient} sessions, ${p.partitions} partitions, ~${p.meanEnvelopeBytes} B/event, node ${r.node}, ${r.machine.cpus} CPUs, load ${r.loadAverage}`,
    ...(p.env && Object.keys(p.env).length
      ? [
          `  env: ${Object.entries(p.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        ]
      : []),
    ...rows.map(([name, time, rate, perEvent]) =>
      `  ${name.padEnd(width)}  ${time.padStart(9)}  ${rate.padStart(14)}  ${perEvent}`.trimEnd(),
    ),
    `  ratio gateway/raw: ${r.ratio.toFixed(2)} (accept only: ${r.acceptRatio.toFixed(2)}); target >= ${r.target}: ${r.pass ? 'PASS' : 'FAIL'}`,
    ...(r.insertManyRatio !== undefined
      ? [
          `  ratio gateway/insertMany: ${r.insertManyRatio.toFixed(2)}; target >= ${r.insertManyTarget}: ${r.insertManyPass ? 'PASS' : 'FAIL'}`,
        ]
      : []),
    `  bench process (gateway + clients) RSS: ${r.rssMiB} MiB`,
    ...(r.split ? formatSplit(r.split, r.target, r.insertManyTarget) : []),
  ].join('\n');
}

function formatSplit(split: SplitResult, target: number, insertTarget?: number): string[] {
  const g = split.gateway;
  const n = (x: number) => x.toLocaleString('en-US');
  const us = (ms: number | undefined) =>
    ms === undefined ? '?' : `${((ms * 1_000) / g.events).toFixed(0)} us`;
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  return [
    '  split gateway (HTTP replica + ingest replica, separate processes):',
    `    HTTP accepted (202)  ${(g.acceptMs / 1_000).toFixed(2).padStart(7)} s  ${n(g.acceptRate).padStart(8)} ev/s`,
    `    HTTP -> MongoDB      ${(g.storedMs / 1_000).toFixed(2).padStart(7)} s  ${n(g.endToEndRate).padStart(8)} ev/s  ${us(g.cpuMs)} CPU/ev (all processes)`,
    ...g.replicas.map(
      (r) =>
        `    ${r.name.padEnd(15)} ${us(r.cpuMs)} CPU/ev, RSS ${r.rssMiB ?? '?'} MiB (peak ${r.peakRssMiB ?? '?'})`,
    ),
    `    bench process    ${us(g.benchCpuMs)} CPU/ev (clients, polling)`,
    `    ratio split/raw: ${split.ratio.toFixed(2)} (accept only: ${split.acceptRatio.toFixed(2)}); target >= ${target}: ${verdict(split.pass)}`,
    ...(split.insertManyRatio !== undefined
      ? [
          `    ratio split/insertMany: ${split.insertManyRatio.toFixed(2)}; target >= ${insertTarget}: ${verdict(split.insertManyPass === true)}`,
        ]
      : []),
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
