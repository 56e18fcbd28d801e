/**
 * Fan-out: sessions per minute for one CI-log triage batch with 1, 2 and 4 orchestrator replicas,
 * each replica its own Node process (as separate pods would be), sharing one consumer group and
 * database. The gateway runs in this process; Kafka and MongoDB are the local stack. A batch is
 * created and followed over HTTP as `reverie batch` does.
 *
 *   npm run bench:fanout -- [--sessions 200] [--replicas 1,2,4] [--run-concurrency 4] [--timeout 900]
 *
 * On a machine with fewer cores than replicas the replicas share them: the scaling factor says
 * what the extra processes buy here, not what they would on their own nodes.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOPICS } from '@reverie/contracts';
import { bundledDatasetsDir } from '@reverie/service-kit';
import { benchServiceEnv, startBenchGateway } from './support/bench-services';
import {
  BenchError,
  connectStack,
  runBench,
  startGroupAtEnd,
  type Cleanup,
} from './support/bench-stack';
import { positiveInt, UsageError } from './support/options';
import { machineInfo, Progress, writeResult } from './support/report';
import { freePort, ServiceProcess } from './support/soak-processes';
import { runBatch, triageClient, triageTasks, type TriageClient } from './support/triage-batch';
import { deleteGroupsOf, waitForMembers } from './support/triage-stack';

const USAGE =
  'usage: npm run bench:fanout -- [--sessions 200] [--replicas 1,2,4] [--run-concurrency 4] [--timeout 900]\n' +
  '       (reads KAFKA_BROKERS, default 127.0.0.1:9092, and MONGO_URL, default mongodb://127.0.0.1:27017)';

interface FanoutOptions {
  sessions: number;
  replicas: number[];
  runConcurrency: number;
  timeoutMs: number;
  kafkaBrokers: string[];
  mongoUrl: string;
  datasetsDir: string;
}

function readOptions(argv = process.argv.slice(2), env = process.env): FanoutOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sessions: { type: 'string' },
        replicas: { type: 'string' },
        'run-concurrency': { type: 'string' },
        timeout: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const replicas = (values.replicas ?? '1,2,4')
    .split(',')
    .map((r) => positiveInt('replicas', r, 1));
  return {
    sessions: positiveInt('sessions', values.sessions, 200),
    replicas,
    runConcurrency: positiveInt('run-concurrency', values['run-concurrency'], 4),
    timeoutMs: positiveInt('timeout', values.timeout, 900) * 1_000,
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    mongoUrl: env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
    datasetsDir: env.DATASETS_DIR ?? bundledDatasetsDir(),
  };
}

interface Phase {
  replicas: number;
  sessions: number;
  seconds: number;
  sessionsPerMinute: number;
  counts: Record<string, number>;
}

interface Run {
  options: FanoutOptions;
  cleanup: Cleanup;
  runId: string;
  client: TriageClient;
  admin: Awaited<ReturnType<typeof connectStack>>['admin'];
  logDir: string;
}

/** Starts `count` orchestrator processes in one group, waits until they own the partitions. */
async function startOrchestrators(run: Run, count: number): Promise<ServiceProcess[]> {
  const groupId = `bench-fanout-orch-${run.runId}-${count}r`;
  await startGroupAtEnd(run.admin, groupId, TOPICS.runCommands);
  const env = {
    ...benchServiceEnv(run.options, `bench_fanout_orch_${run.runId}_${count}r`, groupId),
    RUN_CONCURRENCY: String(run.options.runConcurrency),
  };
  const replicas: ServiceProcess[] = [];
  for (let i = 0; i < count; i++) {
    const name = `orchestrator-${count}r-${i + 1}`;
    replicas.push(
      new ServiceProcess(
        name,
        'orchestrator',
        { ...env, REPLICA_ID: name },
        await freePort(),
        join(run.logDir, `${name}.log`),
      ),
    );
  }
  run.cleanup.add(`stop the ${count} orchestrator(s)`, () =>
    Promise.all(replicas.map((r) => r.stop('SIGKILL'))),
  );
  await Promise.all(replicas.map((r) => r.start()));
  await waitForMembers(run.admin, groupId, count, 120_000);
  return replicas;
}

async function phase(run: Run, count: number): Promise<Phase> {
  const label = `${count} replica${count > 1 ? 's' : ''}`;
  process.stdout.write(`bench: ${label}: starting ${count} orchestrator process(es)...\n`);
  const replicas = await startOrchestrators(run, count);
  const tasks = triageTasks(run.options.datasetsDir, run.options.sessions);
  const progress = new Progress(label, tasks.length).start();
  const timing = await runBatch(
    run.client,
    `bench fan-out (${label})`,
    tasks,
    250,
    run.options.timeoutMs,
    (ended) => progress.set('done', ended),
  ).finally(() => progress.stop());
  await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
  if (timing.counts.completed !== timing.sessions) {
    throw new BenchError(
      `${label}: ${timing.counts.failed} failed and ${timing.counts.canceled} canceled of ${timing.sessions}; see ${run.logDir}`,
    );
  }
  const seconds = timing.ms / 1_000;
  return {
    replicas: count,
    sessions: timing.sessions,
    seconds: Number(seconds.toFixed(2)),
    sessionsPerMinute: Number(((timing.sessions / seconds) * 60).toFixed(1)),
    counts: { ...timing.counts },
  };
}

async function bench(options: FanoutOptions, cleanup: Cleanup): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const { admin, db } = await connectStack(options);
  cleanup.add('disconnect', async () => {
    await admin.disconnect();
    await db.close();
  });
  cleanup.add('delete the bench consumer groups', () => deleteGroupsOf(admin, runId));
  const logDir = join(tmpdir(), `reverie-fanout-${runId}`);
  mkdirSync(logDir, { recursive: true });
  const gatewayDb = `bench_fanout_${runId}`;
  const gateway = await startBenchGateway(
    benchServiceEnv(options, gatewayDb, `bench-fanout-gw-${runId}`),
    admin,
  );
  cleanup.add('close the gateway', () => gateway.app.close());
  cleanup.add('drop the bench databases', async () => {
    const names = [gatewayDb, ...options.replicas.map((r) => `bench_fanout_orch_${runId}_${r}r`)];
    for (const name of names) await db.useDb(name, { useCache: false }).dropDatabase();
  });
  const client = await triageClient(
    gateway.baseUrl,
    { url: options.mongoUrl, db: gatewayDb },
    `bench-fanout-${runId}`,
  );
  const run: Run = { options, cleanup, runId, client, admin, logDir };
  const phases: Phase[] = [];
  for (const count of options.replicas) phases.push(await phase(run, count));
  const base = phases[0].sessionsPerMinute;
  const result = {
    benchmark: 'fanout',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    parameters: {
      sessions: options.sessions,
      runConcurrency: options.runConcurrency,
      environment: 'ci-log-triage',
      provider: 'builtin',
    },
    phases: phases.map((p) => ({ ...p, scaling: Number((p.sessionsPerMinute / base).toFixed(2)) })),
    note: `each replica is its own process; ${cpus().length} CPUs shared by the replicas, the gateway (this process), Kafka and MongoDB`,
  };
  const file = writeResult(result);
  process.stdout.write(
    [
      '',
      `fan-out bench: ${options.sessions} CI-log triage sessions (builtin), RUN_CONCURRENCY ${options.runConcurrency} per replica, ${cpus().length} CPUs`,
      ...result.phases.map(
        (p) =>
          `  ${String(p.replicas).padStart(2)} replica(s)  ${p.seconds.toFixed(1).padStart(7)} s  ${p.sessionsPerMinute.toFixed(1).padStart(8)} sessions/min  x${p.scaling.toFixed(2)}`,
      ),
      `written to ${file}`,
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  runBench(() => readOptions(), USAGE, bench).then((code) => {
    process.exitCode = code;
  });
}
