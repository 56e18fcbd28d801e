/**
 * Ingest throughput: how many session events per second go from HTTP to MongoDB through the real
 * session gateway, against how many a bare kafkajs producer gets into Kafka and how many a bare
 * `insertMany` (one document per event) gets into the same MongoDB server, in one run. Run with
 * `npm run bench:ingest -- [--events 20000] [--batch 500] [--concurrency 4]` against the local stack.
 *
 * Everything (HTTP clients, gateway, ingest consumer, raw producer) runs in this one process, so
 * both paths pay the same in-process costs; Kafka and MongoDB are the shared local stack.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
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
} from './support/report';
import { BenchError, Cleanup, connectStack, runBench } from './support/bench-stack';
import { planClients, type BenchSession, type ClientPlan } from './support/workload';

/** Sends `plans` through the gateway; times all-202 and all-stored from the first request. */
async function runGateway(
  label: string,
  gateway: BenchGateway,
  db: Connection,
  token: string,
  plans: ClientPlan[],
  timeoutMs: number,
): Promise<GatewayTiming> {
  const requests = prepareRequests(gateway.baseUrl, plans);
  const clients = await startClientThread(token, requests);
  const sessionIds = [...new Set(plans.flat().map((b) => b.session.sessionId))];
  const total = plans.flat().reduce((n, b) => n + b.events.length, 0);
  const progress = new Progress(label, total).start();
  progress.set('accepted', 0);
  progress.set('stored', 0);

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
  ]);
  const cpuMs = cpuMsSince(cpuStart);
  await posting;
  progress.stop();
  return {
    events: total,
    requests: requests.flat().length,
    acceptMs: acceptedAt - start,
    storedMs: storedAt - start,
    cpuMs,
  };
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
  cleanup.add('close the gateway', () => gateway.app.close());

  const topic = await createRawTopic(admin, options, runId);
  cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
  const producer = await connectRawProducer(options);
  cleanup.add('disconnect the raw producer', () => producer.disconnect());

  // Warm-up and measured runs use different sessions, so their counts never mix.
  const perRun = options.concurrency * options.sessionsPerClient;
  const { token, sessions } = await createSessions(gateway, `bench_${runId}`, perRun * 2);
  const warmSessions = sessions.slice(0, perRun);
  const measuredSessions = sessions.slice(perRun);
  const plan = (s: BenchSession[], n: number, prefix: string) =>
    planClients(s, n, options.batch, options.concurrency, prefix);

  const warm = plan(warmSessions, options.warmup, 'warm');
  await runGateway('warm-up gateway', gateway, db, token, warm, options.timeoutMs);
  await runRaw('warm-up raw', producer, topic, warm);

  const measured = plan(measuredSessions, options.events, 'bench');
  const endProfile = options.profile ? profileWindow(stackPorts(options)) : undefined;
  const endCpu = options.profile
    ? await startCpuProfile(join(tmpdir(), `ingest-${runId}.cpuprofile`))
    : undefined;
  const gatewayTiming = await runGateway(
    'gateway',
    gateway,
    db,
    token,
    measured,
    options.timeoutMs,
  );
  const profile = endProfile && `${endProfile()}\n${await endCpu?.()}`;
  await verifyStored(db, measuredSessions, options.events);
  const rawTiming = await runRaw('raw', producer, topic, measured);
  await insertManyAll(db, `raw_warm_${runId}`, warm);
  process.stdout.write('raw insertMany...\n');
  const insertTiming = await insertManyAll(db, `raw_insert_${runId}`, measured);

  const result = buildResult(
    options,
    meanEnvelopeBytes(measured),
    gatewayTiming,
    rawTiming,
    insertTiming,
  );
  process.stdout.write(`${formatTable(result)}\n`);
  if (profile) {
    // Instrumented numbers are a little slower; keep them out of the recorded results.
    process.stdout.write(`${profile}\n  (profiled run: results not written)\n`);
    return;
  }
  process.stdout.write(`  written to ${writeResult(result)} and ingest-latest.json\n`);
}

runBench(readOptions, USAGE, bench).then((code) => process.exit(code));
