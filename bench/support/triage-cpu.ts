/**
 * Where the CPU went during a measured batch: this process (gateway and replicas run in it), the
 * local stack's JVMs (when scripts/stack.sh runs them: their pids are in .stack/), and the whole
 * machine. Linux /proc only; elsewhere the numbers are left out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Busy share of one core per process, and of the whole machine (100 = every core busy). */
export interface CpuUse {
  /** 100 = one core. */
  processes: Record<string, number>;
  /** Share of all cores busy, 0-100. */
  machine?: number;
}

function processSeconds(pid: number | 'self'): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = ticks[3] + (ticks[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** The stack's JVM pids, when the local stack serves the ports the bench talks to. */
function stackPids(kafkaBrokers: string[], mongoUrl: string): Record<string, number> {
  const port = (address: string) => /:(\d+)(?:[/?,]|$)/.exec(address)?.[1] ?? '';
  const ports = {
    kafka: port(kafkaBrokers[0]),
    mongo: port(mongoUrl.replace(/^mongodb(\+srv)?:\/\//, '')),
  };
  const dir = process.env.REVERIE_STACK_DIR ?? join(__dirname, '../../.stack');
  const pids: Record<string, number> = {};
  for (const name of ['kafka', 'mongo'] as const) {
    try {
      if (readFileSync(join(dir, `${name}.port`), 'utf8').trim() !== ports[name]) continue;
      pids[name] = Number(readFileSync(join(dir, `${name}.pid`), 'utf8').trim());
    } catch {
      // not the local stack
    }
  }
  return pids;
}

/** Call before a measured window; the returned function gives the CPU use over the window. */
export function cpuWindow(kafkaBrokers: string[], mongoUrl: string): () => CpuUse {
  const pids: Record<string, number | 'self'> = {
    node: 'self',
    ...stackPids(kafkaBrokers, mongoUrl),
  };
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, processSeconds(p)]));
  const machineBefore = machineTicks();
  const start = performance.now();
  return () => {
    const wallS = (performance.now() - start) / 1_000;
    const processes: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const after = processSeconds(pid);
      const was = before[name];
      if (after !== undefined && was !== undefined) {
        processes[name] = Math.round(((after - was) / wallS) * 100);
      }
    }
    const machineAfter = machineTicks();
    const machine =
      machineBefore && machineAfter && machineAfter.total > machineBefore.total
        ? Math.round(
            ((machineAfter.busy - machineBefore.busy) /
              (machineAfter.total - machineBefore.total)) *
              100,
          )
        : undefined;
    return { processes, ...(machine === undefined ? {} : { machine }) };
  };
}
