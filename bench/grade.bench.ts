/**
 * Grading throughput: sessions graded per second by the outcome-grader, from the moment the
 * sessions' `session.ended` are published until MongoDB holds every verdict. Run with
 * `npm run bench:grade -- [--sessions 500 | --sizes 200,1000,5000] [--warmup 20] [--concurrency 8]`
 * (`--sizes`: one measured phase per size, one after another in a growing store) against the local
 * stack.
 *
 * The real gateway (HTTP + ingest consumer) and one real grader run in this one process, sharing
 * a fresh database; Kafka and MongoDB are the shared local stack. Every session replays the
 * events of one real landing (the builtin team on lunar-lander easy #0, flown here once) and is
 * graded against a six-criterion deterministic rubric. This process plays the orchestrator: the
 * sessions are stored as the gateway stores a managed run, then their start and events are
 * published to Kafka and stored by the gateway's ingest before the clock starts; only the ends
 * and the grading are timed.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { TOPICS, type SessionEventBody } from '@reverie/contracts';
import { createKafka, createProducer, EventPublisher } from '@reverie/kafka';
import { SessionReader, SessionRepository } from '@reverie/sessions-data-access';
import type { Admin } from 'kafkajs';
import type { Connection } from 'mongoose';
import { BenchError, Cleanup, connectStack, runBench } from './support/bench-stack';
import { waitStored } from './support/gateway-path';
import { GRADE_USAGE, readGradeOptions, type GradeBenchOptions } from './support/grade-options';
import {
  buildGradeResult,
  formatGradeTable,
  gradePhase,
  type GradePhase,
} from './support/grade-report';
import {
  gradeClient,
  startBenchGrader,
  startGradeGateway,
  waitCaughtUp,
  type BenchGrader,
  type GradeClient,
} from './support/grade-stack';
import {
  endedCount,
  LANDING_FAMILY,
  LANDING_INDEX,
  LANDING_RUBRIC,
  landingEvents,
  newSessions,
  outcomeCount,
  publishEnds,
  publishSessions,
  resultsOf,
  startedWithEvents,
  storeManaged,
  waitGraded,
} from './support/grade-workload';
import { memoryText, servicesMemory } from './support/memory';
import { Progress, writeResult } from './support/report';
import { cpuWindow } from './support/triage-cpu';
import { deleteGroupsOf, dropDatabase } from './support/triage-stack';

/** Sessions published (and stored) per loading round. */
const LOAD_ROUND = 250;

interface Context {
  options: GradeBenchOptions;
  admin: Admin;
  db: Connection;
  client: GradeClient;
  sessions: SessionRepository;
  publisher: EventPublisher;
  grader: BenchGrader;
  events: SessionEventBody[];
}

/**
 * One phase: stores `count` sessions, publishes their start and events and waits until the gateway
 * stored them all and the grader read past them (not timed); then times publishing every end until
 * every verdict is stored.
 */
async function runPhase(ctx: Context, label: string, count: number): Promise<GradePhase> {
  const { options, db, client, events } = ctx;
  const refs = newSessions(client.tenantId, client.agentId, count);
  const ids = refs.map((r) => r.sessionId);
  await storeManaged(ctx.sessions, refs);

  const total = count * events.length;
  const loading = new Progress(`${label}: loading`, total).start();
  loading.set('events published', 0);
  loading.set('stored', 0);
  // In rounds of LOAD_ROUND sessions, each stored before the next is published: publishing a
  // 5,000-session phase at once starved the in-process gateway's consumer (same event loop) past
  // its Kafka session timeout, and its group was left with no member (nothing stored any more).
  let storedBefore = 0;
  try {
    for (let i = 0; i < refs.length; i += LOAD_ROUND) {
      const round = refs.slice(i, i + LOAD_ROUND);
      const roundIds = round.map((r) => r.sessionId);
      const base = storedBefore;
      await Promise.all([
        publishSessions(ctx.publisher, round, events, options.loaders, (n) =>
          loading.add('events published', n),
        ),
        waitStored(db, roundIds, round.length * events.length, options.timeoutMs, (stored) =>
          loading.set('stored', base + stored),
        ),
      ]);
      storedBefore += round.length * events.length;
    }
  } finally {
    loading.stop();
  }
  // The grader skips events, but reads them all; it is idle when the clock starts.
  await waitCaughtUp(
    ctx.admin,
    ctx.grader.config.kafka.groupId,
    TOPICS.sessionEvents,
    options.timeoutMs,
  );

  const eventsReadMs = await timeEventsRead(ctx, ids[0]);
  const [outcomes, ended, storedEventsAtStart] = await Promise.all([
    outcomeCount(db, client.tenantId),
    endedCount(db, client.tenantId),
    storedEvents(db),
  ]);
  const progress = new Progress(`${label}: grading`, count).start();
  progress.set('ends stored', 0);
  progress.set('graded', 0);
  const endCpu = cpuWindow(options.kafkaBrokers, options.mongoUrl);
  const start = performance.now();
  await publishEnds(ctx.publisher, refs);
  const timing = await waitGraded(
    db,
    client.tenantId,
    { outcomes, ended },
    count,
    start,
    options,
    (graded, endsStored) => {
      progress.set('ends stored', endsStored);
      progress.set('graded', graded);
    },
  ).finally(() => progress.stop());
  const cpu = endCpu();

  const { results, firstSummary } = await resultsOf(db, client.tenantId, ids);
  if ((results.satisfied ?? 0) !== count) {
    // The rubric fits the landing: anything else is a bench or grader problem, not a rate.
    throw new BenchError(
      `${label}: expected ${count} satisfied verdicts, got ${JSON.stringify(results)} (${firstSummary ?? 'no summary'})`,
    );
  }
  return gradePhase(count, timing.ms, timing.endsStoredMs, results, cpu, {
    storedEventsAtStart,
    eventsReadMs,
  });
}

/** Events stored in the gateway's pages (not timed: a pass over the pages' counts). */
async function storedEvents(db: Connection): Promise<number> {
  const pages = await db
    .collection<{ n: number }>('session_event_pages')
    .find({}, { projection: { n: 1 } })
    .toArray();
  return pages.reduce((sum, p) => sum + p.n, 0);
}

/**
 * What one grade's biggest read costs right now: the grader's own read of one session's events
 * (median of three), with nothing else running. Not part of the timed window.
 */
async function timeEventsRead(ctx: Context, sessionId: string): Promise<number> {
  const reader = ctx.grader.app.get(SessionReader);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const read = await reader.events(ctx.client.tenantId, sessionId);
    times.push(performance.now() - start);
    if (read.length !== ctx.events.length) {
      throw new BenchError(
        `session ${sessionId} has ${read.length} stored events, expected ${ctx.events.length}`,
      );
    }
  }
  return Number(times.sort((a, b) => a - b)[1].toFixed(1));
}

async function bench(options: GradeBenchOptions, cleanup: Cleanup): Promise<void> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `bench_grade_${runId}`;
  const events = await landingEvents();

  const { admin, db } = await connectStack(options, dbName);
  cleanup.add('disconnect the Kafka admin', () => admin.disconnect());
  cleanup.add('close the MongoDB connection', () => db.close());
  // Runs after both services closed (last in, first out): their groups are empty by then.
  cleanup.add(`delete the consumer groups of run ${runId}`, () => deleteGroupsOf(admin, runId));
  cleanup.add(`drop database ${dbName}`, () => dropDatabase(db, dbName));

  process.stdout.write(`bench: starting the gateway and the grader (db ${dbName})...\n`);
  const gateway = await startGradeGateway(options, admin, dbName, `bench-grade-gateway-${runId}`);
  cleanup.add('close the gateway', () => gateway.app.close());
  const grader = await startBenchGrader(options, admin, dbName, `bench-grade-grader-${runId}`);
  cleanup.add('close the grader', () => grader.app.close());

  const producer = createProducer(
    createKafka({ brokers: options.kafkaBrokers, clientId: `reverie-bench-grade-${runId}` }),
  );
  await producer.connect();
  cleanup.add('disconnect the producer', () => producer.disconnect());

  const client = await gradeClient(gateway, `bench_${runId}`, LANDING_RUBRIC);
  const [topic] = (await admin.fetchTopicMetadata({ topics: [TOPICS.sessionEvents] })).topics;
  const ctx: Context = {
    options,
    admin,
    db,
    client,
    sessions: gateway.app.get(SessionRepository),
    publisher: new EventPublisher(producer),
    grader,
    events,
  };

  const warmup = await runPhase(ctx, 'warm-up', options.warmup);
  const phases: GradePhase[] = [];
  for (const [i, size] of options.sizes.entries()) {
    const phase = await runPhase(ctx, `phase ${i + 1} (${size})`, size);
    phases.push(phase);
    process.stdout.write(`phase ${i + 1} (${size}): ${JSON.stringify(phase)}\n`);
  }
  const memory = servicesMemory();

  const sample = startedWithEvents(
    { tenantId: client.tenantId, agentId: client.agentId, sessionId: 'ses_sample' },
    events,
    new Date(),
  ).slice(1);
  const meanEnvelopeBytes = Math.round(
    sample.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0) / sample.length,
  );
  const graded = buildGradeResult(
    options,
    {
      eventsPerSession: events.length,
      meanEnvelopeBytes,
      landing: `lunar-lander ${LANDING_FAMILY} #${LANDING_INDEX}, builtin team`,
      rubricCriteria: LANDING_RUBRIC.criteria.length,
      gradeConcurrency: grader.config.gradeConcurrency,
      sessionTopicPartitions: topic.partitions.length,
      // As the grader's service definition sets it (apps/outcome-grader/src/app.module.ts).
      partitionsConsumedConcurrently: Math.min(4, grader.config.kafka.partitions),
    },
    warmup,
    phases,
  );
  // RSS at the end: the bench process holds the gateway and the grader.
  const result = { ...graded, memory };
  process.stdout.write(`${formatGradeTable(result)}\n  RSS: ${memoryText(memory)}\n`);
  process.stdout.write(`  written to ${writeResult(result)} and grade-latest.json\n`);
}

runBench(readGradeOptions, GRADE_USAGE, bench).then((code) => process.exit(code));
