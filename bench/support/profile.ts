/**
 * `--profile`: where the gateway path spends its time. Wraps a few methods of the real classes
 * (timing and batch sizes only, behaviour unchanged) and samples the CPU of this process and of
 * the local stack's JVMs. Instrumentation costs a little, so profiled runs are not for the record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { EventPublisher, KafkaBatchServer } from '@reverie/kafka';
import { SessionEventRepository, SessionWatermarkRepository } from '@reverie/sessions-data-access';
import { SessionIngestService } from '@reverie/sessions-feature';

interface Stat {
  calls: number;
  totalMs: number;
  items: number;
  maxInFlight: number;
  inFlight: number;
}

const stats = new Map<string, Stat>();

/** Times every call of `proto[method]`; `size` says how many items a call handles. */
function wrap(proto: object, method: string, name: string, size: (args: unknown[]) => number) {
  const target = proto as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method];
  if (typeof original !== 'function') throw new Error(`cannot profile ${name}: no ${method}`);
  target[method] = async function (this: unknown, ...args: unknown[]) {
    const stat = stats.get(name) ?? { calls: 0, totalMs: 0, items: 0, maxInFlight: 0, inFlight: 0 };
    stats.set(name, stat);
    stat.calls++;
    stat.items += size(args);
    stat.maxInFlight = Math.max(stat.maxInFlight, ++stat.inFlight);
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      stat.totalMs += performance.now() - start;
      stat.inFlight--;
    }
  };
}

const length = (i: number) => (args: unknown[]) => (args[i] as unknown[]).length;
const one = () => 1;

export function installProfiling(): void {
  // The private handler of kafkajs eachBatch: one call per fetched partition batch.
  wrap(
    KafkaBatchServer.prototype,
    'handleBatch',
    'consumer batch (kafkajs eachBatch)',
    (args) => (args[0] as { batch: { messages: unknown[] } }).batch.messages.length,
  );
  wrap(SessionIngestService.prototype, 'ingest', 'ingest handler call', length(0));
  wrap(SessionEventRepository.prototype, 'loadLog', 'mongo loadLog (pages by _id $in)', one);
  wrap(
    SessionEventRepository.prototype,
    'append',
    'mongo page writes (append + insertMany)',
    length(2),
  );
  wrap(SessionWatermarkRepository.prototype, 'advance', 'mongo watermarks ($max, bulk)', length(0));
  wrap(EventPublisher.prototype, 'publishEncoded', 'http: kafka publish (acks -1)', length(1));
}

/** CPU seconds (user + system) of a process, from /proc; undefined where unavailable. */
function cpuSeconds(pid: number | 'self'): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return undefined;
  }
}

/**
 * The local stack's JVMs (scripts/stack.sh writes their pids and ports), when they are the ones
 * the bench talks to; empty in docker mode or against another server.
 */
function stackPids(ports: { kafka: string; mongo: string }): Record<string, number> {
  const dir = process.env.REVERIE_STACK_DIR ?? join(__dirname, '../../.stack');
  const pids: Record<string, number> = {};
  for (const name of ['kafka', 'mongo'] as const) {
    try {
      const port = readFileSync(join(dir, `${name}.port`), 'utf8').trim();
      if (port !== ports[name]) continue;
      pids[name] = Number(readFileSync(join(dir, `${name}.pid`), 'utf8').trim());
    } catch {
      // not running locally
    }
  }
  return pids;
}

/** Measures one run: call it before, and the returned function after. */
export function profileWindow(ports: { kafka: string; mongo: string }): () => string {
  stats.clear();
  const elu: EventLoopUtilization = performance.eventLoopUtilization();
  const pids = { node: 'self' as const, ...stackPids(ports) };
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
  const start = performance.now();
  return () => {
    const wallS = (performance.now() - start) / 1_000;
    const loop = performance.eventLoopUtilization(elu).utilization;
    const cpu = Object.entries(pids).map(([name, pid]) => {
      const before = cpuBefore[name];
      const after = cpuSeconds(pid);
      if (before === undefined || after === undefined) return `${name} n/a`;
      return `${name} ${(((after - before) / wallS) * 100).toFixed(0)}%`;
    });
    const rows = [...stats].map(([name, s]) => {
      const avg = s.calls ? s.totalMs / s.calls : 0;
      const items = s.calls ? (s.items / s.calls).toFixed(0) : '0';
      return `    ${name.padEnd(36)} ${String(s.calls).padStart(5)} calls  avg ${avg.toFixed(1).padStart(7)} ms  sum ${(s.totalMs / 1_000).toFixed(2).padStart(6)} s  ~${items.padStart(4)} items/call  max ${s.maxInFlight} at once`;
    });
    return [
      `  profile over ${wallS.toFixed(2)} s: node event loop busy ${(loop * 100).toFixed(0)}%; CPU (100% = one core): ${cpu.join(', ')}`,
      ...rows,
    ].join('\n');
  };
}
