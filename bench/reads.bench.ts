/**
 * Reads that cost what the session holds: the time to read one 200-event session
 * (`SessionReader.events`, what the grader does per session) with 10,000, 100,000 and 1,000,000
 * events stored, in the paged layout the gateway writes; the target is flat (within 2x from the
 * smallest store to the largest). For contrast, the same read in the one-document-per-event layout
 * before pages (a scan on the embedded server) up to `--legacy-max` events. Then the embedded
 * server's heap after the largest store. Run with
 * `npm run bench:reads -- [--sizes 10000,100000,1000000] [--legacy-max 100000] [--reads 20]`
 * against a running stack (reads MONGO_URL, default mongodb://127.0.0.1:27017).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import type { SessionEventBody } from '@reverie/contracts';
import { planPageWrites, type SessionLog } from '@reverie/sessions-data-access';
import { SessionReader, SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import type { Connection } from 'mongoose';
import { heapText, memoryText, mongoHeap, servicesMemory } from './support/memory';
import { machineInfo, writeResult } from './support/report';

const SESSION_EVENTS = 200;
const TENANT = 'bench';

interface Options {
  sizes: number[];
  legacyMax: number;
  reads: number;
  mongoUrl: string;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000,1000000' },
      'legacy-max': { type: 'string', default: '100000' },
      reads: { type: 'string', default: '20' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const ints = [...sizes, Number(values['legacy-max']), Number(values.reads)];
  if (ints.some((n) => !Number.isInteger(n) || n < 0) || sizes.some((n) => n < SESSION_EVENTS)) {
    process.stderr.write(`bench:reads: sizes, --legacy-max and --reads must be whole numbers\n`);
    process.exit(2);
  }
  return {
    sizes: [...sizes].sort((a, b) => a - b),
    legacyMax: Number(values['legacy-max']),
    reads: Number(values.reads),
    mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
  };
}

const body = (session: number, i: number): SessionEventBody => ({
  clientEventId: `s${session}-${i}`,
  type: 'observation',
  step: i,
  data: { altitude: 1500 - i, speed: i % 17, note: `reading ${i} of session ${session}` },
});

/** A whole session as the gateway's pages for it (the same planner ingest uses). */
function sessionPages(session: number) {
  const sessionId = `ses_${session.toString().padStart(8, '0')}`;
  const log: SessionLog = { tenantId: TENANT, sessionId, lastSeq: 0, ids: new Set(), tail: null };
  const at = new Date();
  const events = Array.from({ length: SESSION_EVENTS }, (_, i) => {
    const b = body(session, i);
    return {
      event: { _id: `msg_${sessionId}_${i}`, seq: i + 1, body: b, receivedAt: at, storedAt: at },
      bytes: JSON.stringify(b).length,
    };
  });
  return planPageWrites(log, 'agt_bench', events).inserts;
}

/** The same session as one document per event (the layout before pages). */
function legacyDocs(session: number) {
  const sessionId = `ses_${session.toString().padStart(8, '0')}`;
  const at = new Date();
  return Array.from({ length: SESSION_EVENTS }, (_, i) => ({
    _id: `msg_${sessionId}_${i}`,
    tenantId: TENANT,
    sessionId,
    agentId: 'agt_bench',
    seq: i + 1,
    body: body(session, i),
    receivedAt: at,
    storedAt: at,
  }));
}

/** Adds sessions `from` to `to` (exclusive) to both collections, 50 sessions a write. */
async function fill(db: Connection, from: number, to: number, legacy: boolean) {
  for (let s = from; s < to; s += 50) {
    const sessions = Array.from({ length: Math.min(50, to - s) }, (_, i) => s + i);
    await db
      .collection('session_event_pages')
      .insertMany(sessions.flatMap(sessionPages) as never[]);
    if (legacy)
      await db.collection('session_events').insertMany(sessions.flatMap(legacyDocs) as never[]);
    if ((s / 50) % 100 === 0)
      process.stdout.write(`  stored ${(s * SESSION_EVENTS).toLocaleString('en-US')} events...\n`);
  }
}

/** Median and p95 of `reads` reads of random stored sessions. */
async function time(reads: number, sessions: number, read: (id: string) => Promise<number>) {
  const ms: number[] = [];
  for (let i = 0; i < reads; i++) {
    const id = `ses_${Math.floor(Math.random() * sessions)
      .toString()
      .padStart(8, '0')}`;
    const start = performance.now();
    const n = await read(id);
    ms.push(performance.now() - start);
    if (n !== SESSION_EVENTS)
      throw new Error(`read ${n} events of ${id}, expected ${SESSION_EVENTS}`);
  }
  ms.sort((a, b) => a - b);
  const r = (x: number) => Number(x.toFixed(2));
  return { medianMs: r(ms[Math.floor(ms.length / 2)]), p95Ms: r(ms[Math.floor(ms.length * 0.95)]) };
}

async function main() {
  const options = readOptions();
  const dbName = `bench_reads_${Date.now().toString(36)}`;
  @Module({
    imports: [MongooseModule.forRoot(options.mongoUrl, { dbName }), SessionsReadersModule],
  })
  class ReadsModule {}
  const app: INestApplicationContext = await NestFactory.createApplicationContext(ReadsModule, {
    logger: false,
  });
  const db = app.get<Connection>(getConnectionToken());
  const reader = app.get(SessionReader);
  const legacy = db.collection('session_events');
  await legacy.createIndex({ tenantId: 1, sessionId: 1, seq: 1 }, { unique: true });
  const rows: Array<Record<string, unknown>> = [];
  const heapBefore = mongoHeap();
  try {
    let sessions = 0;
    for (const size of options.sizes) {
      const target = size / SESSION_EVENTS;
      process.stdout.write(`bench:reads: filling to ${size.toLocaleString('en-US')} events...\n`);
      try {
        await fill(db, sessions, target, size <= options.legacyMax);
      } catch (err) {
        // Record what was measured and why the larger store could not be built.
        rows.push({ storedEvents: size, error: (err as Error).message });
        break;
      }
      sessions = target;
      const paged = await time(
        options.reads,
        sessions,
        async (id) => (await reader.events(TENANT, id)).length,
      );
      const row: Record<string, unknown> = { storedEvents: size, paged };
      if (size <= options.legacyMax)
        row.legacyOneDocPerEvent = await time(
          Math.min(options.reads, 5),
          sessions,
          async (id) =>
            (await legacy.find({ tenantId: TENANT, sessionId: id }).sort({ seq: 1 }).toArray())
              .length,
        );
      rows.push(row);
      // The contrast layout's documents would only weigh on the larger stores' heap.
      if (
        size <= options.legacyMax &&
        !options.sizes.some((n) => n > size && n <= options.legacyMax)
      )
        await legacy.drop().catch(() => undefined);
      process.stdout.write(`  ${JSON.stringify(row)}\n`);
    }
    const heap = mongoHeap();
    const memory = servicesMemory();
    const first = (rows[0].paged as { medianMs: number }).medianMs;
    const measured = rows.filter((r) => r.paged);
    const last = (measured[measured.length - 1].paged as { medianMs: number }).medianMs;
    const result = {
      benchmark: 'reads',
      date: new Date().toISOString(),
      node: process.version,
      machine: machineInfo(),
      loadAverage: (await import('node:os')).loadavg().map((x) => Number(x.toFixed(1))),
      mongoUrl: options.mongoUrl,
      sessionEvents: SESSION_EVENTS,
      rows,
      growth: Number((last / first).toFixed(2)),
      target: 2,
      pass: last / first <= 2,
      embeddedServerHeapBefore: heapBefore,
      embeddedServerHeapAfterLargest: heap,
      benchProcessRssMiB: memory.benchProcessRssMiB,
      servicesRssMiB: memory,
    };
    process.stdout.write(
      [
        '',
        `reads bench: one ${SESSION_EVENTS}-event session (SessionReader.events), median of ${options.reads}`,
        ...rows.map((r) => {
          if (r.error)
            return `  ${String((r.storedEvents as number).toLocaleString('en-US')).padStart(10)} stored: not reached (${r.error})`;
          const p = r.paged as { medianMs: number; p95Ms: number };
          const l = r.legacyOneDocPerEvent as { medianMs: number } | undefined;
          return `  ${String((r.storedEvents as number).toLocaleString('en-US')).padStart(10)} stored: paged ${p.medianMs} ms (p95 ${p.p95Ms})${l ? `; one doc per event ${l.medianMs} ms` : ''}`;
        }),
        `  growth smallest -> largest: ${result.growth}x; target <= 2x: ${result.pass ? 'PASS' : 'FAIL'}`,
        `  embedded server heap (after a full GC) before: ${heapText(heapBefore)}, after the largest store: ${heapText(heap)}`,
        `  RSS: ${memoryText(memory)}`,
        `  written to ${writeResult(result)} and reads-latest.json`,
      ].join('\n') + '\n',
    );
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench:reads: ${err.message}\n`);
    process.exit(1);
  },
);
