/**
 * `--reflect [--cycles N]` measures the triage dream's reflect stage instead, offline (see
 * bench/triage-reflect.ts).
 *
 * Triage throughput: sessions per minute for a 200-session CI-log triage batch (the 20-log
 * dataset repeated 10 times, builtin provider), with one and with two orchestrator replicas. Run
 * with `npm run bench:triage -- [--repeat 10] [--concurrency 4]` against the local stack.
 *
 * The real gateway and the replicas run in this one process (each replica is a full Nest app with
 * its own Kafka consumer, sharing one group and database with the other, as two deployments
 * would); Kafka and MongoDB are the shared local stack. A batch is created and followed over HTTP
 * exactly as `reverie batch` does: POST /v1/batches, then GET /v1/batches/:id until `done`.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { TOPICS } from '@reverie/contracts';
import type { Admin } from 'kafkajs';
import type { Connection } from 'mongoose';
import { BenchError, Cleanup, connectStack, runBench } from './support/bench-stack';
import { Progress, writeResult } from './support/report';
import { runBatch, triageClient, triageTasks, type TriageClient } from './support/triage-batch';
import { cpuWindow } from './support/triage-cpu';
import { readTriageOptions, TRIAGE_USAGE, type TriageBenchOptions } from './support/triage-options';
import { buildTriageResult, formatTriageTable, type PhaseResult } from './support/triage-report';
import {
  deleteGroupsOf,
  dropDatabase,
  replicaSplit,
  startReplicas,
  startTriageGateway,
  waitForMembers,
  type Replica,
} from './support/triage-stack';

const REPLICA_COUNTS = [1, 2] as const;

interface Context {
  options: TriageBenchOptions;
  cleanup: Cleanup;
  admin: Admin;
  db: Connection;
  runId: string;
  client: TriageClient;
  /** Cases in the dataset (20): a measured batch is `repeat` times as many sessions. */
  cases: number;
}

const phaseLabel = (replicas: number) => `${replicas} replica${replicas > 1 ? 's' : ''}`;
const orchestratorDb = (runId: string, replicas: number) =>
  `bench_triage_orch_${runId}_${replicas}r`;

/** Starts `replicas` orchestrators, runs a warm-up batch, then times the measured batch. */
async function runPhase(ctx: Context, replicas: number): Promise<PhaseResult> {
  const { options, admin, runId, client } = ctx;
  const label = phaseLabel(replicas);
  const groupId = `bench-triage-orch-${runId}-${replicas}r`;
  const ids = Array.from(
    { length: replicas },
    (_, i) => `bench-${runId}-${replicas}r-${'ab'[i] ?? i}`,
  );

  process.stdout.write(`bench: ${label}: starting (group ${groupId})...\n`);
  const started: Replica[] = [];
  let closed = false;
  const closeReplicas = async () => {
    if (closed) return;
    closed = true;
    for (const replica of started) await replica.app.close();
  };
  ctx.cleanup.add(`close the ${label}`, closeReplicas);
  await startReplicas(options, admin, orchestratorDb(runId, replicas), groupId, ids, (r) =>
    started.push(r),
  );
  // Every replica owns its partitions before the batch comes, so no rebalance moves a run.
  await waitForMembers(admin, groupId, replicas, 60_000);

  const warm = new Progress(`${label} warm-up`, options.warmup).start();
  const warmTiming = await runBatch(
    client,
    `bench warm-up ${label}`,
    triageTasks(options.datasetsDir, options.warmup),
    options.pollMs,
    options.timeoutMs,
    (ended) => warm.set('done', ended),
  ).finally(() => warm.stop());
  if (warmTiming.counts.completed !== warmTiming.sessions) {
    const reasons = (await replicaSplit(started[0], client.tenantId, warmTiming.batchId))
      .failedReasons;
    throw new BenchError(
      `${label} warm-up: ${warmTiming.counts.failed} of ${warmTiming.sessions} sessions failed (${reasons[0] ?? 'no reason recorded'})`,
    );
  }

  const tasks = triageTasks(options.datasetsDir, options.repeat * ctx.cases);
  const progress = new Progress(label, tasks.length).start();
  progress.set('done', 0);
  const endCpu = cpuWindow(options.kafkaBrokers, options.mongoUrl);
  const timing = await runBatch(
    client,
    `bench ci-log-triage x${options.repeat} (${label})`,
    tasks,
    options.pollMs,
    options.timeoutMs,
    (ended) => progress.set('done', ended),
  ).finally(() => progress.stop());
  const cpu = endCpu();

  const split = await replicaSplit(started[0], client.tenantId, timing.batchId);
  if (timing.counts.completed !== timing.sessions) {
    throw new BenchError(
      `${label}: ${timing.counts.failed} failed and ${timing.counts.canceled} canceled of ${timing.sessions} sessions (${split.failedReasons[0] ?? 'no reason recorded'})`,
    );
  }
  if (split.runs !== timing.sessions) {
    throw new BenchError(
      `${label}: the orchestrator recorded ${split.runs} runs for ${timing.sessions} sessions`,
    );
  }
  // Close this phase's replicas before the next starts, so they share no CPU with it.
  await closeReplicas();
  const seconds = timing.ms / 1_000;
  return {
    replicas,
    batchId: timing.batchId,
    sessions: timing.sessions,
    seconds: Number(seconds.toFixed(2)),
    sessionsPerMinute: Number(((timing.sessions / seconds) * 60).toFixed(1)),
    counts: timing.counts,
    byReplica: Object.fromEntries(ids.map((id) => [id, split.byReplica[id] ?? 0])),
    retried: split.retried,
    cpu,
  };
}

async function bench(options: TriageBenchOptions, cleanup: Cleanup): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const gatewayDb = `bench_triage_${runId}`;
  // Fails early, with the fix, on a missing dataset.
  const datasetCases = new Set(triageTasks(options.datasetsDir, 1_000).map((t) => t.caseId)).size;

  const { admin, db } = await connectStack(options);
  cleanup.add('disconnect the Kafka admin', () => admin.disconnect());
  cleanup.add('close the MongoDB connection', () => db.close());
  // Runs after every service closed (last in, first out): their groups are empty by then.
  cleanup.add(`delete the consumer groups of run ${runId}`, () => deleteGroupsOf(admin, runId));
  cleanup.add(`drop database ${gatewayDb}`, () => dropDatabase(db, gatewayDb));
  for (const n of REPLICA_COUNTS) {
    const name = orchestratorDb(runId, n);
    cleanup.add(`drop database ${name}`, () => dropDatabase(db, name));
  }

  process.stdout.write(`bench: starting the gateway (db ${gatewayDb})...\n`);
  const gateway = await startTriageGateway(
    options,
    admin,
    gatewayDb,
    `bench-triage-gateway-${runId}`,
  );
  cleanup.add('close the gateway', () => gateway.app.close());
  const [topic] = (await admin.fetchTopicMetadata({ topics: [TOPICS.runCommands] })).topics;
  const client = await triageClient(gateway.baseUrl, gateway.config.mongo, `bench_${runId}`);

  const ctx: Context = { options, cleanup, admin, db, runId, client, cases: datasetCases };
  const phases: PhaseResult[] = [];
  for (const n of REPLICA_COUNTS) phases.push(await runPhase(ctx, n));

  const result = buildTriageResult(options, datasetCases, topic.partitions.length, phases);
  process.stdout.write(`${formatTriageTable(result)}\n`);
  process.stdout.write(`  written to ${writeResult(result)} and triage-latest.json\n`);
}

// `--reflect`: the dream's reflect stage and the per-format test split, offline (bench/triage-reflect.ts).
if (process.argv.includes('--reflect'))
  void import('./triage-reflect').then((m) => m.reflectBench()).then(() => process.exit(0));
else runBench(readTriageOptions, TRIAGE_USAGE, bench).then((code) => process.exit(code));
