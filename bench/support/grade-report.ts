import type { GradeBenchOptions } from './grade-options';
import { machineInfo } from './report';
import type { CpuUse } from './triage-cpu';

export interface GradePhase {
  sessions: number;
  /** From just before the ends were published until MongoDB held every outcome. */
  seconds: number;
  sessionsPerSecond: number;
  /** ...until the gateway had stored every end (the grader waits for a session's end). */
  endsStoredSeconds: number;
  /** Verdicts by result; all `satisfied` in a clean run. */
  results: Record<string, number>;
  /** Events in the gateway's pages (`session_event_pages`) when the clock started. */
  storedEventsAtStart: number;
  /** The grader reading one session's events just before the clock started (median of 3). */
  eventsReadMs: number;
  /** CPU during the phase: 100 = one core per process; machine: share of all cores. */
  cpu: CpuUse;
}

export interface GradeBenchResult {
  benchmark: 'grade';
  date: string;
  node: string;
  machine: ReturnType<typeof machineInfo>;
  stack: { kafkaBrokers: string[]; mongoUrl: string };
  parameters: {
    sessions: number;
    eventsPerSession: number;
    meanEnvelopeBytes: number;
    landing: string;
    rubricCriteria: number;
    gradeConcurrency: number;
    sessionTopicPartitions: number;
    partitionsConsumedConcurrently: number;
    warmupSessions: number;
    pollMs: number;
    inProcess: string;
  };
  warmup: GradePhase;
  /** The last measured phase. */
  measured: GradePhase;
  /** Every measured phase, in the order run, the store growing from one to the next. */
  phases: GradePhase[];
  /** The headline: measured sessions / measured seconds. */
  sessionsPerSecond: number;
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

export function gradePhase(
  sessions: number,
  ms: number,
  endsStoredMs: number,
  results: Record<string, number>,
  cpu: CpuUse,
  reads: { storedEventsAtStart: number; eventsReadMs: number },
): GradePhase {
  const seconds = ms / 1_000;
  return {
    sessions,
    seconds: round(seconds, 2),
    sessionsPerSecond: round(sessions / seconds, 1),
    endsStoredSeconds: round(endsStoredMs / 1_000, 2),
    results,
    ...reads,
    cpu,
  };
}

export function buildGradeResult(
  options: GradeBenchOptions,
  parameters: Omit<
    GradeBenchResult['parameters'],
    'sessions' | 'warmupSessions' | 'pollMs' | 'inProcess'
  >,
  warmup: GradePhase,
  phases: GradePhase[],
): GradeBenchResult {
  const measured = phases[phases.length - 1];
  return {
    benchmark: 'grade',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    stack: { kafkaBrokers: options.kafkaBrokers, mongoUrl: options.mongoUrl },
    parameters: {
      sessions: options.sessions,
      warmupSessions: options.warmup,
      pollMs: options.pollMs,
      inProcess: 'the gateway (HTTP + ingest) and one outcome-grader run in the bench process',
      ...parameters,
    },
    warmup,
    measured,
    phases,
    sessionsPerSecond: measured.sessionsPerSecond,
  };
}

function formatCpu(cpu: CpuUse): string {
  const parts = Object.entries(cpu.processes).map(([name, pct]) => `${name} ${pct}%`);
  if (cpu.machine !== undefined) parts.push(`machine ${cpu.machine}%`);
  return parts.join(', ');
}

export function formatGradeTable(r: GradeBenchResult): string {
  const p = r.parameters;
  const row = (name: string, phase: GradePhase) =>
    `  ${name.padEnd(9)}  ${String(phase.sessions).padStart(8)}  ${`${phase.seconds.toFixed(2)} s`.padStart(9)}  ${`${phase.sessionsPerSecond.toFixed(1)}/s`.padStart(9)}  ${`${phase.endsStoredSeconds.toFixed(2)} s`.padStart(11)}  ${String(phase.storedEventsAtStart).padStart(12)}  ${`${phase.eventsReadMs.toFixed(1)} ms`.padStart(10)}  ${formatCpu(phase.cpu)}`;
  const results = Object.entries(r.measured.results)
    .map(([result, n]) => `${n} ${result}`)
    .join(', ');
  return [
    '',
    `grade bench: ${p.sessions} sessions x ${p.eventsPerSession} events (${p.landing}, ~${p.meanEnvelopeBytes} B/event), ${p.rubricCriteria} deterministic criteria, GRADE_CONCURRENCY ${p.gradeConcurrency}, ${p.partitionsConsumedConcurrently} of ${p.sessionTopicPartitions} partitions at once, node ${r.node}, ${r.machine.cpus} CPUs (${r.machine.cpu})`,
    `  ${'phase'.padEnd(9)}  ${'sessions'.padStart(8)}  ${'time'.padStart(9)}  ${'rate'.padStart(9)}  ${'ends stored'.padStart(11)}  ${'events in db'.padStart(12)}  ${'1 read'.padStart(10)}  CPU (100% = one core)`,
    row('warm-up', r.warmup),
    ...r.phases.map((phase, i) => row(`phase ${i + 1}`, phase)),
    `  sessions graded per second: ${r.sessionsPerSecond.toFixed(1)} (verdicts: ${results})`,
    `  (1 read: the grader reading one session's ${p.eventsPerSession} events before the clock started, its pages by _id)`,
  ].join('\n');
}
