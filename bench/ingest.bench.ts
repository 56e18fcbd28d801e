/**
 * Ingest throughput: how many session events per second go from HTTP to MongoDB through the real
 * session gateway, against how many a bare kafkajs producer gets into Kafka and how many a bare
 * `insertMany` (one document per event) gets into the same MongoDB server. Each of `--rounds`
 * rounds runs the path, then the raw producer and raw insertMany on the same events, and the
 * verdicts are on the median round's ratios: one run's raw producer rate moves up to 2x from run
 * to run, so a single run's ratio says more about that draw than about the path. Run with
 * `npm run bench:ingest -- [--events 20000] [--rounds 3] [--batch 500] [--concurrency 4]` against
 * the local stack.
 *
 * Everything (HTTP clients, gateway, ingest consumer, raw producer) runs in this one process, so
 * both paths pay the same in-process costs; Kafka and MongoDB are the shared local stack. The
 * clients run on a worker thread of their own.
 *
 * With --split the same events then also go through the gateway as deployed: an HTTP replica
 * (INGEST_ENABLED=false) and an ingest replica, each its own process (see split-gateway.ts),
 * in rounds of their own (each with its own raw runs), recorded in the same result.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import {
  createSessions,
  prepareRequests,
  startBenchGateway,
  waitStored,
  type BenchGateway,
} from './support/gateway-path';
import { startClientThread } from './support/client-thread';
import { startCpuProfile } from './support/cpu-profile';
import { installProfiling, profileWindow } from './support/profile';
import { insertManyAll } from './support/raw-insert';
import { readOptions, USAGE, type BenchOptions } from './support/options';
import {
  connectRawProducer,
  createRawTopic,
  meanEnvelopeBytes,
  prepareMessages,
  produceAll,
} from './support/raw-producer';
import {
  buildResult,
  formatTable,
  Progress,
  writeResult,
  type GatewayTiming,
  type RawTiming,
  type ReplicaStats,
  type RoundTiming,
  type SplitTiming,
} from './support/report';
import { BenchError, Cleanup, connectStack, runBench } from './support/bench-stack';
import {
  failOnExit,
  logTails,
  sampleProcess,
  splitLogFiles,
  startSplitGateway,
  type ProcessSample,
  type SplitGateway,
} from './support/split-gateway';
import { planClients, type BenchSession, type ClientPlan } from './support/workload';

/** Sends `plans` through the gateway; times all-202 and all-stored from the first request. */
async function runGateway(
  label: string,
  baseUrl: string,
  db: Connection,
  token: string,
  plans: ClientPlan[],
  timeoutMs: number,
  watch: RunWatch = {},
): Promise<GatewayTiming> {
  const requests = prepareRequests(baseUrl, plans);
  const clients = await startClientThread(token, requests);
  const sessionIds = [...new Set(plans.flat().map((b) => b.session.sessionId))];
  const total = plans.flat().reduce((n, b) => n + b.events.length, 0);
  const progress = new Progress(label, total).start();
  progress.set('accepted', 0);
  progress.set('stored', 0);

  watch.onStart?.();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let acceptedAt = 0;
  const posting = clients
    .go((n) => progress.add('accepted', n))
    .then(() => {
      acceptedAt = performance.now();
    });
  // Stop polling early if a POST fails, instead of waiting for the timeout.
  const storedAt = await Promise.race([
    waitStored(db, sessionIds, total, timeoutMs, (n) => progress.set('stored', n)),
    posting.then(() => new Promise<never>(() => undefined)),
    ...(watch.failed ? [watch.failed] : []),
  ]).finally(() => progress.stop());
  const cpuMs = cpuMsSince(cpuStart);
  watch.onStored?.();
  await posting;
  return {
    events: total,
    requests: requests.flat().length,
    acceptMs: acceptedAt - start,
    storedMs: storedAt - start,
    cpuMs,
  };
}

/** What a gateway run can be watched with: a failure to stop at, hooks at the clock's ends. */
interface RunWatch {
  /** Rejects when the gateway can no longer finish (a replica process exited). */
  failed?: Promise<never>;
  /** Called just before the first request is sent, and as soon as every event is stored. */
  onStart?: () => void;
  onStored?: () => void;
}

/** Produces the same batches straight to the bench topic; times until all are acknowledged. */
async function runRaw(
  label: string,
  producer: Producer,
  topic: string,
  plans: ClientPlan[],
): Promise<RawTiming> {
  const prepared = prepareMessages(plans);
  const total = plans.flat().reduce((n, b) => n + b.events.length, 0);
  const progress = new Progress(label, total).start();
  progress.set('acked', 0);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await produceAll(producer, topic, prepared, (n) => progress.add('acked', n));
  const ackMs = performance.now() - start;
  const cpuMs = cpuMsSince(cpuStart);
  progress.stop();
  return { events: total, sends: prepared.flat().length, ackMs, cpuMs };
}

/** CPU time (user + system) this process used since `start`, in ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1_000;
}

/** Checks what the timings claim: exactly the sent events are in MongoDB, no more, no fewer. */
async function verifyStored(db: Connection, sessions: BenchSession[], expected: number) {
  const pages = await db
    .collection<{ n: number; events: { seq: number }[] }>('session_event_pages')
    .find(
      { sessionId: { $in: sessions.map((s) => s.sessionId) } },
      { projection: { n: 1, 'events.seq': 1 } },
    )
    .toArray();
  const count = pages.reduce((sum, p) => sum + p.events.length, 0);
  if (count !== expected) {
    throw new BenchError(
      `MongoDB holds ${count} events of the measured sessions, expected ${expected}`,
    );
  }
}

/** The ports the bench talks to, so the profiler samples the right processes. */
function stackPorts(options: BenchOptions) {
  const port = (address: string) => /:(\d+)(?:[/?,]|$)/.exec(address)?.[1] ?? '';
  return {
    kafka: port(options.kafkaBrokers[0]),
    mongo: port(options.mongoUrl.replace(/^mongodb(\+srv)?:\/\//, '')),
  };
}

/** What each measured phase of the bench (in-process gateway, split gateway) works with. */
interface Phases {
  options: BenchOptions;
  runId: string;
  admin: Admin;
  db: Connection;
  cleanup: Cleanup;
  /** The raw producer and its topic, for each round's baseline. */
  producer: Producer;
  topic: string;
}

/** A measured round's sessions and what each client sends to them. */
interface PlannedRound {
  sessions: BenchSession[];
  plan: ClientPlan[];
}

/** Creates a phase's sessions (the warm-up's and each round's apart) and plans their runs. */
async function planPhase(
  { options }: Phases,
  gateway: Pick<BenchGateway, 'config' | 'baseUrl'>,
  tenantId: string,
) {
  const perRun = options.concurrency * options.sessionsPerClient;
  const { token, sessions } = await createSessions(
    gateway,
    tenantId,
    perRun * (1 + options.rounds),
  );
  const plan = (s: BenchSession[], n: number, prefix: string) =>
    planClients(s, n, options.batch, options.concurrency, prefix);
  const rounds: PlannedRound[] = Array.from({ length: options.rounds }, (_, r) => {
    const own = sessions.slice(perRun * (r + 1), perRun * (r + 2));
    return { sessions: own, plan: plan(own, options.events, `bench${r + 1}`) };
  });
  return { token, warm: plan(sessions.slice(0, perRun), options.warmup, 'warm'), rounds };
}

/**
 * A round's baselines, right after its path run: the raw producer, then raw insertMany into a
 * scratch collection of the same server, dropped afterwards so the server does not grow round by
 * round.
 */
async function baselines(phases: Phases, plan: ClientPlan[], round: number) {
  const { db, runId } = phases;
  const raw = await runRaw(`raw, round ${round}`, phases.producer, phases.topic, plan);
  process.stdout.write(`raw insertMany, round ${round}...\n`);
  const collection = `raw_insert_${runId}_${round}`;
  const insertMany = await insertManyAll(db, collection, plan);
  await db.dropCollection(collection);
  return { raw, insertMany };
}

/** Warms the raw runs up (JIT, connections, the topic's partitions, the index build). */
async function warmBaselines(phases: Phases, warm: ClientPlan[]) {
  await runRaw('warm-up raw', phases.producer, phases.topic, warm);
  const collection = `raw_warm_${phases.runId}`;
  await insertManyAll(phases.db, collection, warm);
  await phases.db.dropCollection(collection);
}

/**
 * The gateway in this process: warm-up, then each round's events from the first POST until all
 * are stored (checking every one is) and the round's baselines. With --profile, the first round's
 * gateway run is profiled.
 */
async function runInProcess(phases: Phases, gateway: BenchGateway) {
  const { options, runId, db } = phases;
  const { token, warm, rounds } = await planPhase(phases, gateway, `bench_${runId}`);
  const { baseUrl } = gateway;
  await runGateway('warm-up gateway', baseUrl, db, token, warm, options.timeoutMs);
  await warmBaselines(phases, warm);
  const timings: RoundTiming[] = [];
  for (const [i, round] of rounds.entries()) {
    const profiling = options.profile && i === 0 ? await startProfiling(options, runId) : undefined;
    const timing = await runGateway(
      `gateway, round ${i + 1}`,
      baseUrl,
      db,
      token,
      round.plan,
      options.timeoutMs,
    );
    if (profiling) process.stdout.write(`${await profiling()}\n`);
    await verifyStored(db, round.sessions, options.events);
    timings.push({ gateway: timing, ...(await baselines(phases, round.plan, i + 1)) });
  }
  return { timings, envelopeBytes: meanEnvelopeBytes(rounds[0].plan) };
}

/** Starts both profilers (see profile.ts, cpu-profile.ts); the result ends them and reports. */
async function startProfiling(options: BenchOptions, runId: string) {
  const endProfile = profileWindow(stackPorts(options));
  const endCpu = await startCpuProfile(join(tmpdir(), `ingest-${runId}.cpuprofile`));
  return async () => `${endProfile()}\n${await endCpu()}`;
}

/**
 * The gateway as deployed, on a database of its own: starts the replicas, warms them up, runs
 * the rounds (each checked for every event stored) and stops the replicas. A failure prints the
 * tails of their logs.
 */
async function runSplit(phases: Phases): Promise<RoundTiming<SplitTiming>[]> {
  const { options, runId, admin, db, cleanup } = phases;
  const dbName = `bench_${runId}_split`;
  const splitDb = db.useDb(dbName, { useCache: false });
  cleanup.add(`drop database ${dbName}`, () => splitDb.dropDatabase());
  const logDir = join(tmpdir(), `reverie-ingest-split-${runId}`);
  process.stdout.write(`bench: starting the split gateway (db ${dbName}, logs in ${logDir})...\n`);
  try {
    const split = await startSplitGateway(options, admin, runId, dbName, logDir, cleanup);
    const { token, warm, rounds } = await planPhase(phases, split, `bench_${runId}_split`);
    const timings = await timeSplit(phases, split, splitDb, token, warm, rounds);
    await Promise.all([split.http, split.ingest].map((r) => r.stopGracefully()));
    if (options.profile)
      process.stdout.write(
        `bench: the replicas' V8 CPU profiles (*.cpuprofile) are in ${logDir}\n`,
      );
    return timings;
  } catch (err) {
    const tails = logTails(splitLogFiles(logDir));
    process.stderr.write(`bench: the split gateway failed; its logs:\n${tails}\n`);
    throw err;
  }
}

/** Warm-up then the rounds through the replicas, stopped at once if one of them exits. */
async function timeSplit(
  phases: Phases,
  split: SplitGateway,
  db: Connection,
  token: string,
  warm: ClientPlan[],
  rounds: PlannedRound[],
): Promise<RoundTiming<SplitTiming>[]> {
  const { options } = phases;
  const replicas = [split.http, split.ingest];
  const guard = failOnExit(split);
  try {
    const run = (label: string, plans: ClientPlan[], watch: RunWatch) =>
      runGateway(label, split.baseUrl, db, token, plans, options.timeoutMs, {
        failed: guard.failed,
        ...watch,
      });
    await run('warm-up split', warm, {});
    const timings: RoundTiming<SplitTiming>[] = [];
    for (const [i, round] of rounds.entries()) {
      let before: (ProcessSample | undefined)[] = [];
      let after: (ProcessSample | undefined)[] = [];
      const sample = () => replicas.map((r) => sampleProcess(r.pid));
      const timing = await run(`split, round ${i + 1}`, round.plan, {
        onStart: () => (before = sample()),
        onStored: () => (after = sample()),
      });
      await verifyStored(db, round.sessions, options.events);
      const gateway = splitTiming(
        timing,
        replicas.map((r) => r.name),
        before,
        after,
      );
      timings.push({ gateway, ...(await baselines(phases, round.plan, i + 1)) });
    }
    return timings;
  } finally {
    guard.stop();
  }
}

/** Adds each replica's CPU over the span and memory at its end; cpuMs becomes the total. */
function splitTiming(
  timing: GatewayTiming,
  names: string[],
  before: (ProcessSample | undefined)[],
  after: (ProcessSample | undefined)[],
): SplitTiming {
  const replicas: ReplicaStats[] = names.map((name, i) => {
    const [b, a] = [before[i], after[i]];
    return {
      name,
      cpuMs: a && b ? Math.round(a.cpuMs - b.cpuMs) : undefined,
      rssMiB: a?.rssMiB,
      peakRssMiB: a?.peakRssMiB,
    };
  });
  const benchCpuMs = timing.cpuMs ?? 0;
  const known = replicas.every((r) => r.cpuMs !== undefined);
  const cpuMs = known ? replicas.reduce((sum, r) => sum + (r.cpuMs ?? 0), benchCpuMs) : undefined;
  return { ...timing, cpuMs, replicas, benchCpuMs };
}

async function bench(options: BenchOptions, cleanup: Cleanup): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `bench_${runId}`;
  const { admin, db } = await connectStack(options, dbName);
  cleanup.add('disconnect the Kafka admin', () => admin.disconnect());
  cleanup.add('close the MongoDB connection', () => db.close());

  if (options.profile) installProfiling();
  process.stdout.write(`bench: starting the gateway (db ${dbName})...\n`);
  const gateway = await startBenchGateway(options, admin, runId);
  cleanup.add(`drop database ${dbName}`, () => db.dropDatabase());
  cleanup.add(`delete consumer group ${gateway.config.kafka.groupId}`, () =>
    admin.deleteGroups([gateway.config.kafka.groupId]),
  );
  let gatewayOpen = true;
  const closeGateway = async () => {
    if (gatewayOpen) await gateway.app.close();
    gatewayOpen = false;
  };
  cleanup.add('close the gateway', closeGateway);

  const topic = await createRawTopic(admin, options, runId);
  cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
  const producer = await connectRawProducer(options);
  cleanup.add('disconnect the raw producer', () => producer.disconnect());

  // Every round uses sessions of its own, so no run's counts mix with another's.
  const phases: Phases = { options, runId, admin, db, cleanup, producer, topic };
  const { timings, envelopeBytes } = await runInProcess(phases, gateway);
  // Not needed any more; and before the split phase, its consumer would store the split replicas'
  // events too (same topic), and its idle process would share the CPUs with them.
  await closeGateway();
  const split = options.split ? await runSplit(phases) : undefined;

  const result = buildResult(options, envelopeBytes, timings, split);
  process.stdout.write(`${formatTable(result)}\n`);
  if (options.profile) {
    // Instrumented numbers are a little slower; keep them out of the recorded results.
    process.stdout.write('  (profiled run: results not written)\n');
    return;
  }
  process.stdout.write(`  written to ${writeResult(result)} and ingest-latest.json\n`);
}

runBench(readOptions, USAGE, bench).then((code) => process.exit(code));
