/**
 * Soak: a long ingest with random duplicate sends through two gateway replicas (separate
 * processes, one consumer group), with one restart of each service during the run: replica 1
 * (SIGTERM), replica 2 (SIGKILL), the Kafka broker and the MongoDB-wire server (H2 backend, data
 * kept). Then it counts what MongoDB holds: every unique event once, seq gap-free per session.
 *
 *   npm run bench:soak -- [--events 100000] [--batch 100] [--clients 8] [--sessions 40]
 *                         [--duplicates 0.1] [--rate 300] [--timeout 1800]
 *
 * It starts its own stack (scripts/stack.sh on free ports, in a temporary directory) and stops it
 * at the end. The result goes to bench/results/ingest-soak-<date>.json.
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { createApiKey } from '@reverie/sessions-feature';
import { ApiClient, anAgent, someEvents } from '@reverie/testing';
import { startPrivateStack, type PrivateStack } from '@reverie/testing/integration';
import mongoose from 'mongoose';
import { loadGatewayConfig } from '../apps/session-gateway/src/config/gateway.config';
import { runBench, type Cleanup } from './support/bench-stack';
import { positiveInt, UsageError } from './support/options';
import { machineInfo, writeResult } from './support/report';
import {
  freePort,
  GatewayProcess,
  sendUntilAccepted,
  type SendStats,
} from './support/soak-processes';

const USAGE =
  'usage: npm run bench:soak -- [--events 100000] [--batch 100] [--clients 8] [--sessions 40] ' +
  '[--duplicates 0.1] [--rate 300] [--timeout 1800]';

interface SoakOptions {
  events: number;
  batch: number;
  clients: number;
  sessions: number;
  /** Share of sends repeated at once, as a client that timed out and sent again. */
  duplicates: number;
  /**
   * Unique events per second over all clients (0: as fast as they go). Paced so the run lasts
   * long enough for the four restarts to happen while clients send: unpaced, 100,000 events
   * were all accepted in about 75 s, before the second restart began.
   */
  rate: number;
  /** Seconds to wait for storage to catch up after the last send. */
  timeoutS: number;
}

function readOptions(argv = process.argv.slice(2)): SoakOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        events: { type: 'string' },
        batch: { type: 'string' },
        clients: { type: 'string' },
        sessions: { type: 'string' },
        duplicates: { type: 'string' },
        rate: { type: 'string' },
        timeout: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const duplicates = Number(values.duplicates ?? 0.1);
  if (!(duplicates >= 0 && duplicates < 1)) {
    throw new UsageError(`--duplicates must be a share in [0, 1), got "${values.duplicates}"`);
  }
  const options = {
    events: positiveInt('events', values.events, 100_000),
    batch: positiveInt('batch', values.batch, 100),
    clients: positiveInt('clients', values.clients, 8),
    sessions: positiveInt('sessions', values.sessions, 40),
    duplicates,
    rate: values.rate === '0' ? 0 : positiveInt('rate', values.rate, 300),
    timeoutS: positiveInt('timeout', values.timeout, 1_800),
  };
  if (options.sessions < options.clients) {
    throw new UsageError('--sessions must be at least --clients (each client owns its sessions)');
  }
  return options;
}

/** Deterministic pseudo-random numbers, so two runs repeat the same sends. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Fault {
  at: number;
  what: string;
  run: () => Promise<void>;
}

async function soak(options: SoakOptions, cleanup: Cleanup) {
  const log = (line: string) => process.stderr.write(`soak: ${line}\n`);
  log('starting the stack (Kafka, MongoDB-wire with H2)…');
  const stack: PrivateStack = await startPrivateStack({ mongoBackend: 'h2' });
  cleanup.add('stop the stack', () => stack.down());
  const restart = async (service: 'kafka' | 'mongo') => {
    await stack.stop(service);
    await stack.start(service);
  };

  const logDir = mkdtempSync(join(tmpdir(), 'reverie-soak-'));
  const env = {
    KAFKA_BROKERS: stack.kafkaBrokers,
    MONGO_URL: stack.mongoUrl,
    MONGO_DB: 'soak',
    KAFKA_GROUP_ID: 'soak-gateway',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    KAFKA_TOPIC_PARTITIONS: '6',
  };
  const replicas = await Promise.all(
    [1, 2].map(
      async (n) =>
        new GatewayProcess(`gateway-${n}`, env, await freePort(), join(logDir, `gateway-${n}.log`)),
    ),
  );
  for (const r of replicas) cleanup.add(`stop ${r.name}`, () => r.stop('SIGTERM'));
  log(`starting two gateway replicas (logs in ${logDir})…`);
  await replicas[0].start();
  await replicas[1].start();

  const config = loadGatewayConfig({ ...env, PORT: '0' });
  const key = await createApiKey(config.mongo, 'soak-tenant', 'soak');
  const api = new ApiClient(replicas[0].baseUrl, key.token);
  const agent = await api.post('/v1/agents', anAgent());
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  const sessionIds: string[] = [];
  for (let i = 0; i < options.sessions; i++) {
    const s = await api.post('/v1/sessions', { agentId: agent.body.id });
    if (s.status !== 201) throw new Error(`session not created: ${JSON.stringify(s.body)}`);
    sessionIds.push(s.body.id);
  }

  // Each session gets its share of the events, in batches; client c owns sessions c, c+clients, …
  const perSession = Math.ceil(options.events / options.sessions);
  const unique = perSession * options.sessions;
  const urls = replicas.map((r) => r.baseUrl);
  const stats: SendStats = { sent: 0, requests: 0, refusals503: 0, noAnswer: 0 };
  let uniqueAccepted = 0;
  let uniqueTaken = 0;
  let t0 = Date.now();
  /** Waits until the pace allows `count` more unique events. */
  const paced = async (count: number) => {
    if (options.rate > 0) {
      while (uniqueTaken + count > (options.rate * (Date.now() - t0)) / 1_000) await delay(50);
    }
    uniqueTaken += count;
  };
  const rand = random(14);

  const client = async (c: number) => {
    const mine = sessionIds.filter((_, i) => i % options.clients === c);
    // Interleave the client's sessions batch by batch, as an agent runs several at once.
    for (let from = 0; from < perSession; from += options.batch) {
      for (const sessionId of mine) {
        const events = someEvents(Math.min(options.batch, perSession - from), sessionId, from);
        await paced(events.length);
        const body = JSON.stringify({ events });
        const sends = rand() < options.duplicates ? 2 : 1;
        for (let k = 0; k < sends; k++) {
          await sendUntilAccepted(urls, c + k, key.token, sessionId, body, stats);
          stats.sent += events.length;
        }
        uniqueAccepted += events.length;
      }
    }
  };

  const faults: Fault[] = [
    {
      at: 0.15,
      what: 'gateway-1 restarted (SIGTERM)',
      run: async () => {
        await replicas[0].stop('SIGTERM');
        await replicas[0].start();
      },
    },
    {
      at: 0.3,
      what: 'gateway-2 restarted (SIGKILL)',
      run: async () => {
        await replicas[1].stop('SIGKILL');
        await replicas[1].start();
      },
    },
    { at: 0.45, what: 'Kafka restarted', run: () => restart('kafka') },
    { at: 0.6, what: 'MongoDB restarted', run: () => restart('mongo') },
  ];
  // duringSends false: the clients had finished before it (a run too short for its faults).
  const faultLog: { what: string; atAccepted: number; duringSends: boolean; tookMs: number }[] = [];
  let sending = true;
  const injectFaults = async () => {
    for (const fault of faults) {
      while (sending && uniqueAccepted < fault.at * unique) await delay(200);
      const atAccepted = uniqueAccepted;
      const duringSends = sending;
      const started = Date.now();
      log(`${fault.what} at ${atAccepted} accepted…`);
      await fault.run();
      faultLog.push({
        what: fault.what,
        atAccepted,
        duringSends,
        tookMs: Date.now() - started,
      });
    }
  };

  log(
    `sending ${unique} unique events (${options.duplicates * 100}% of sends repeated) with ${options.clients} clients…`,
  );
  t0 = Date.now();
  const progress = setInterval(() => log(`${uniqueAccepted}/${unique} accepted`), 15_000);
  const faulting = injectFaults();
  try {
    await Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
  } finally {
    sending = false;
    clearInterval(progress);
  }
  const sendMs = Date.now() - t0;
  await faulting;
  log(`all sent in ${(sendMs / 1000).toFixed(1)} s; waiting for storage…`);

  const db = mongoose.createConnection(stack.mongoUrl, {
    dbName: 'soak',
    serverSelectionTimeoutMS: 30_000,
  });
  cleanup.add('close the MongoDB connection', () => db.close());
  await db.asPromise();
  // Events are stored in pages (the bucket pattern, `session_event_pages`): `n` events each.
  const pages = db.collection<{
    sessionId: string;
    page: number;
    n: number;
    events: { seq: number; body: { clientEventId: string } }[];
  }>('session_event_pages');
  let deadline = Date.now() + options.timeoutS * 1_000;
  // The MongoDB-wire server is busy storing the backlog: a query that times out is asked again.
  const patiently = async <T>(what: string, query: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await query();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        log(`${what} failed (${(err as Error).message}); asking again`);
        await delay(2_000);
      }
    }
  };
  const count = () =>
    patiently('counting', async () => {
      const counts = await pages
        .find({ tenantId: 'soak-tenant' }, { projection: { n: 1 } })
        .toArray();
      return counts.reduce((sum, p) => sum + p.n, 0);
    });
  let stored = await count();
  while (stored < unique && Date.now() < deadline) {
    await delay(10_000);
    stored = await count();
    log(`${stored}/${unique} stored`);
  }
  const storedMs = Date.now() - t0;
  // The counts below may need a few more tries of a busy server, even past the wait.
  deadline = Math.max(deadline, Date.now() + 120_000);

  // Count what is there: duplicates by client event id, lost ones, and seq gaps per session.
  let duplicatesStored = 0;
  let lost = 0;
  let gaps = 0;
  for (const sessionId of sessionIds) {
    const sessionPages = await patiently('reading a session', () =>
      pages
        .find(
          { tenantId: 'soak-tenant', sessionId },
          { projection: { page: 1, 'events.seq': 1, 'events.body.clientEventId': 1 } },
        )
        .toArray(),
    );
    const docs = sessionPages
      .sort((a, b) => a.page - b.page)
      .flatMap((p) => p.events)
      .sort((a, b) => a.seq - b.seq);
    const ids = new Set(docs.map((d) => d.body.clientEventId));
    duplicatesStored += docs.length - ids.size;
    lost += perSession - ids.size;
    gaps += docs.filter((d, i) => d.seq !== i + 1).length;
  }

  const result = {
    benchmark: 'ingest-soak',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    parameters: { ...options, events: unique, replicas: 2, partitions: 6 },
    counts: {
      sent: stats.sent,
      unique,
      stored,
      duplicatesSent: stats.sent - uniqueAccepted,
      duplicatesStored,
      // Not stored when the wait ended; with storageCaughtUp false, some may only be late.
      lost,
      storageCaughtUp: stored >= unique,
      gaps,
      refusals503: stats.refusals503,
      noAnswer: stats.noAnswer,
    },
    faults: faultLog,
    timeMs: { allAccepted: sendMs, allStored: storedMs },
  };
  const path = writeResult(result);
  process.stdout.write(
    [
      `ingest soak: ${unique} unique events, ${options.clients} clients, 2 gateway replicas, ${options.duplicates * 100}% sends repeated`,
      `  faults:   ${faultLog.map((f) => `${f.what} at ${f.atAccepted} (${(f.tookMs / 1000).toFixed(1)} s)`).join('; ')}`,
      `  sent ${stats.sent}  unique ${unique}  stored ${stored}  duplicates stored ${duplicatesStored}  lost ${lost}  gaps ${gaps}`,
      `  refused: ${stats.refusals503} x 503, ${stats.noAnswer} x no answer (each retried)`,
      `  time: all accepted ${(sendMs / 1000).toFixed(1)} s, all stored ${(storedMs / 1000).toFixed(1)} s`,
      `  recorded in ${path}`,
      '',
    ].join('\n'),
  );
  if (duplicatesStored > 0 || lost > 0 || gaps > 0) {
    throw new Error(`not exactly once: ${duplicatesStored} duplicates, ${lost} lost, ${gaps} gaps`);
  }
}

void runBench(readOptions, USAGE, soak).then((code) => process.exit(code));
