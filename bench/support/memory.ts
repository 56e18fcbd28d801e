import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The local stack's directory (pid files), as scripts/stack.sh chooses it. */
export function stackDir(): string {
  return process.env.REVERIE_STACK_DIR ?? join(__dirname, '..', '..', '.stack');
}

/** The pid a stack service wrote, or undefined when the file is missing or not a pid. */
export function stackPid(service: 'mongo' | 'kafka'): number | undefined {
  const file = join(stackDir(), `${service}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Resident memory of a process in MiB (Linux /proc), or undefined when it cannot be read. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return kib ? Math.round(Number(kib[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The used heap in KiB from `jcmd <pid> GC.heap_info`: the sum of every heap space's
 * "total …K, used …K" line (young + old for Serial/Parallel GC, the single line of G1). Metaspace
 * ("used …K, committed …K") is not heap and is left out. Undefined when no such line is found.
 *
 * The first version of the reads bench took only the first "used" figure, the young generation's,
 * which a full GC has just emptied: it recorded 0.
 */
export function parseHeapUsedKiB(heapInfo: string): number | undefined {
  const used = [...heapInfo.matchAll(/total \d+K, used (\d+)K/g)].map((m) => Number(m[1]));
  return used.length === 0 ? undefined : used.reduce((a, b) => a + b, 0);
}

export interface JvmHeap {
  pid: number;
  /** Used heap after a full GC (live data). */
  usedMiB: number;
  rssMiB?: number;
}

/** A JVM's used heap after a full GC (jcmd), or a one-line reason it could not be read. */
export function jvmHeap(pid: number): JvmHeap | string {
  try {
    execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'ignore' });
    const info = execFileSync('jcmd', [String(pid), 'GC.heap_info'], { encoding: 'utf8' });
    const used = parseHeapUsedKiB(info);
    return used === undefined
      ? `jcmd said: ${info.slice(0, 200)}`
      : { pid, usedMiB: Math.round(used / 1024), rssMiB: rssMiB(pid) };
  } catch (err) {
    return `jcmd failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** The embedded MongoDB server's heap (after a full GC) and RSS, when the stack's pid is at hand. */
export function mongoHeap(): JvmHeap | string {
  const pid = stackPid('mongo');
  return pid === undefined
    ? `no ${join(stackDir(), 'mongo.pid')} (set REVERIE_STACK_DIR to the stack's directory)`
    : jvmHeap(pid);
}

export interface ServicesMemory {
  /** The bench process (and the services it runs in-process). */
  benchProcessRssMiB: number;
  mongo?: { pid: number; rssMiB?: number };
  kafka?: { pid: number; rssMiB?: number };
}

/** RSS of the bench process and of the stack's MongoDB and Kafka, when their pid files are found. */
export function servicesMemory(): ServicesMemory {
  const out: ServicesMemory = {
    benchProcessRssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  for (const service of ['mongo', 'kafka'] as const) {
    const pid = stackPid(service);
    if (pid !== undefined) out[service] = { pid, rssMiB: rssMiB(pid) };
  }
  return out;
}

export const heapText = (h: JvmHeap | string): string =>
  typeof h === 'string' ? h : `${h.usedMiB} MiB used (RSS ${h.rssMiB ?? '?'} MiB)`;

export const memoryText = (m: ServicesMemory): string =>
  [
    `bench process ${m.benchProcessRssMiB} MiB`,
    m.mongo ? `MongoDB (pid ${m.mongo.pid}) ${m.mongo.rssMiB ?? '?'} MiB` : 'MongoDB pid not found',
    m.kafka ? `Kafka (pid ${m.kafka.pid}) ${m.kafka.rssMiB ?? '?'} MiB` : 'Kafka pid not found',
  ].join(', ');
