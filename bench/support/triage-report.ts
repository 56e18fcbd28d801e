import { join } from 'node:path';
import { machineInfo } from './report';
import type { BatchCounts } from './triage-batch';
import type { CpuUse } from './triage-cpu';
import type { TriageBenchOptions } from './triage-options';

export interface PhaseResult {
  replicas: number;
  batchId: string;
  sessions: number;
  seconds: number;
  sessionsPerMinute: number;
  counts: BatchCounts;
  /** Sessions each replica ran (the orchestrator's `runs` collection, field `replica`). */
  byReplica: Record<string, number>;
  /** Runs started more than once (a rebalance or a dead replica); 0 in a clean run. */
  retried: number;
  /** CPU during the measured batch: 100 = one core per process; machine: share of all cores. */
  cpu: CpuUse;
}

export interface TriageBenchResult {
  benchmark: 'triage';
  date: string;
  node: string;
  machine: { os: string; arch: string; cpu: string; cpus: number; memoryGiB: number };
  stack: { kafkaBrokers: string[]; mongoUrl: string };
  parameters: {
    dataset: string;
    datasetCases: number;
    repeat: number;
    sessions: number;
    provider: 'builtin';
    runConcurrencyPerReplica: number;
    runCommandPartitions: number;
    warmupSessions: number;
    pollMs: number;
    inProcess: string;
  };
  phases: PhaseResult[];
  oneReplica: { sessionsPerMinute: number; seconds: number };
  twoReplicas: {
    sessionsPerMinute: number;
    seconds: number;
    byReplica: Record<string, number>;
  };
  /** Two-replica rate / one-replica rate. */
  speedup: number;
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

export function buildTriageResult(
  options: TriageBenchOptions,
  datasetCases: number,
  partitions: number,
  phases: PhaseResult[],
): TriageBenchResult {
  const [one, two] = phases;
  return {
    benchmark: 'triage',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    stack: { kafkaBrokers: options.kafkaBrokers, mongoUrl: options.mongoUrl },
    parameters: {
      dataset: join(options.datasetsDir, 'ci-breakages'),
      datasetCases,
      repeat: options.repeat,
      sessions: one.sessions,
      provider: 'builtin',
      runConcurrencyPerReplica: options.concurrency,
      runCommandPartitions: partitions,
      warmupSessions: options.warmup,
      pollMs: options.pollMs,
      inProcess: 'gateway and every orchestrator replica run in the bench process',
    },
    phases,
    oneReplica: { sessionsPerMinute: one.sessionsPerMinute, seconds: one.seconds },
    twoReplicas: {
      sessionsPerMinute: two.sessionsPerMinute,
      seconds: two.seconds,
      byReplica: two.byReplica,
    },
    speedup: round(two.sessionsPerMinute / one.sessionsPerMinute, 2),
  };
}

function formatCpu(cpu: CpuUse): string {
  const parts = Object.entries(cpu.processes).map(([name, pct]) => `${name} ${pct}%`);
  if (cpu.machine !== undefined) parts.push(`machine ${cpu.machine}% of all cores`);
  return parts.join(', ');
}

export function formatTriageTable(r: TriageBenchResult): string {
  const p = r.parameters;
  const rows = r.phases.map((phase) => {
    const name = `${phase.replicas} replica${phase.replicas > 1 ? 's' : ''}`;
    const split = Object.values(phase.byReplica).join(' + ');
    return [
      `  ${name.padEnd(10)}  ${`${phase.seconds.toFixed(1)} s`.padStart(8)}  ${`${phase.sessionsPerMinute.toFixed(0)}/min`.padStart(9)}  ${split.padEnd(11)}  ${formatCpu(phase.cpu)}`,
    ];
  });
  return [
    '',
    `triage bench: ${p.sessions} sessions (${p.datasetCases} logs x ${p.repeat}), builtin, RUN_CONCURRENCY ${p.runConcurrencyPerReplica} per replica, ${p.runCommandPartitions} partitions, node ${r.node}, ${r.machine.cpus} CPUs`,
    `  ${'replicas'.padEnd(10)}  ${'time'.padStart(8)}  ${'rate'.padStart(9)}  ${'split'.padEnd(11)}  CPU (100% = one core)`,
    ...rows.flat(),
    `  speed-up 2 replicas / 1 replica: ${r.speedup.toFixed(2)}x`,
  ].join('\n');
}
