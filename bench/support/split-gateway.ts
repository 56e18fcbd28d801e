/**
 * The gateway as it is deployed: separate processes instead of one. One HTTP replica
 * (INGEST_ENABLED=false) accepts the events and produces them; one ingest replica
 * (INGEST_ENABLED=true, sent no HTTP) consumes and stores them. Each is the real session-gateway
 * app, run from source like the other benches' services, with its output in a log file whose tail
 * is printed when the bench fails. The processes are killed whatever happens: by the bench's
 * cleanup, and, if the bench process itself ends first (an uncaught error, Ctrl-C), on its way out.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '@reverie/contracts';
import type { Admin } from 'kafkajs';
import {
  loadGatewayConfig,
  type GatewayConfig,
} from '../../apps/session-gateway/src/config/gateway.config';
import { benchServiceEnv } from './bench-services';
import { startGroupAtEnd, waitForMembers, type Cleanup } from './bench-stack';
import type { BenchOptions } from './options';
import { freePort, GatewayProcess } from './soak-processes';

export interface SplitGateway {
  http: GatewayProcess;
  ingest: GatewayProcess;
  /** Where the clients send: the HTTP replica. */
  baseUrl: string;
  /** The HTTP replica's configuration (its MongoDB, for the bench's API key). */
  config: GatewayConfig;
  logFiles: string[];
}

/** Where the HTTP replica and the ingest replica write their output. */
export function splitLogFiles(logDir: string): [string, string] {
  return [join(logDir, 'http-replica.log'), join(logDir, 'ingest-replica.log')];
}

/** The env both replicas share: the bench's stack, database, partitions and ingest knobs. */
function replicaEnv(options: BenchOptions, db: string, groupId: string): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ...benchServiceEnv(options, db, groupId),
    KAFKA_TOPIC_PARTITIONS: String(options.partitions),
    INGEST_PARTITIONS_CONCURRENTLY: process.env.INGEST_PARTITIONS_CONCURRENTLY,
    INGEST_MAX_BATCH: process.env.INGEST_MAX_BATCH,
    EVENT_MESSAGES: process.env.EVENT_MESSAGES,
    // V8 flags for the replicas only (e.g. --max-semi-space-size=64), not for the bench process.
    NODE_OPTIONS: process.env.BENCH_REPLICA_NODE_OPTIONS,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Starts both replicas on database `db`, the ingest's group moved to the end of the session topic
 * first (as the in-process gateway's is), and waits until the HTTP replica is ready and the
 * ingest replica owns every partition (its group stable with one member).
 */
export async function startSplitGateway(
  options: BenchOptions,
  admin: Admin,
  runId: string,
  db: string,
  logDir: string,
  cleanup: Cleanup,
): Promise<SplitGateway> {
  mkdirSync(logDir, { recursive: true });
  const ingestGroup = `bench-split-ingest-${runId}`;
  await startGroupAtEnd(admin, ingestGroup, TOPICS.sessionEvents);
  const httpEnv = {
    ...replicaEnv(options, db, `bench-split-http-${runId}`),
    INGEST_ENABLED: 'false',
  };
  const ingestEnv = { ...replicaEnv(options, db, ingestGroup), INGEST_ENABLED: 'true' };
  const logFiles = splitLogFiles(logDir);
  // --profile: each replica writes a V8 CPU profile into the log folder when it stops (NODE_OPTIONS
  // may not carry --cpu-prof, so it goes on the command line).
  const nodeArgs = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`] : [];
  const http = new GatewayProcess('http replica', httpEnv, await freePort(), logFiles[0], nodeArgs);
  const ingest = new GatewayProcess(
    'ingest replica',
    ingestEnv,
    await freePort(),
    logFiles[1],
    nodeArgs,
  );
  cleanup.add('delete the split consumer groups', () =>
    deleteGroupsWith(admin, `bench-split-`, runId),
  );
  const children = [http, ingest];
  // Gracefully, so that --profile's CPU profiles get written.
  cleanup.add('stop the split gateway replicas', () =>
    Promise.all(children.map((c) => c.stopGracefully())),
  );
  killOnExit(children);
  // One after the other: both start at once would run the same migrations concurrently.
  await http.start();
  await ingest.start();
  await waitForMembers(admin, ingestGroup, 1, 120_000);
  const config = loadGatewayConfig({ ...httpEnv, PORT: '0' });
  return { http, ingest, baseUrl: http.baseUrl, config, logFiles };
}

/** Every consumer group whose id starts with `prefix` and holds `runId` (the replicas' own too). */
async function deleteGroupsWith(admin: Admin, prefix: string, runId: string): Promise<void> {
  const { groups } = await admin.listGroups();
  const ours = groups
    .map((g) => g.groupId)
    .filter((id) => id.startsWith(prefix) && id.includes(runId));
  if (ours.length) await admin.deleteGroups(ours);
}

/**
 * Kills the children synchronously when this process exits or is interrupted before the cleanup
 * ran: the cleanup is async and never runs on process.exit or a signal, and an orphaned ingest
 * replica would go on consuming the shared topic.
 */
function killOnExit(children: GatewayProcess[]): void {
  const kill = () => {
    for (const child of children) {
      const pid = child.pid;
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', kill);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      kill();
      process.exit(130);
    });
  }
}

/** Rejects as soon as one replica is no longer running (a crash mid-run), naming its log. */
export function failOnExit(split: SplitGateway): { failed: Promise<never>; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const gone = [split.http, split.ingest].find((c) => !c.running);
      if (gone) reject(new Error(`the ${gone.name} exited mid-run`));
    }, 250);
    timer.unref();
  });
  // Only ever raced against a run; never an unhandled rejection between runs.
  failed.catch(() => undefined);
  return { failed, stop: () => clearInterval(timer) };
}

/** The last `lines` lines of each log, for a failure message. */
export function logTails(files: string[], lines = 30): string {
  return files
    .filter((file) => existsSync(file))
    .map((file) => {
      const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
      return [`--- ${file} (last ${tail.length} lines) ---`, ...tail].join('\n');
    })
    .join('\n');
}

export interface ProcessSample {
  /** user + system CPU since the process started, in ms. */
  cpuMs: number;
  rssMiB: number;
  /** The most resident memory it has had (VmHWM). */
  peakRssMiB: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times (100 on most Linux). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU and memory of a running process from /proc (Linux); undefined where there is none. */
export function sampleProcess(pid: number | undefined): ProcessSample | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  try {
    // Fields after the command name (which may hold spaces) in parentheses; utime, stime are
    // the 14th and 15th of the line, i.e. the 12th and 13th after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return {
      cpuMs: (ticks * 1_000) / ticksPerSecond(),
      rssMiB: Math.round(kib('VmRSS') / 1_024),
      peakRssMiB: Math.round(kib('VmHWM') / 1_024),
    };
  } catch {
    return undefined; // exited between the check and the read
  }
}
