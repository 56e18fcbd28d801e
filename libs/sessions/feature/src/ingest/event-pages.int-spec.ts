import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import type { SessionEventBody } from '@reverie/contracts';
import {
  migrateEventsToPages,
  PAGE_EVENTS,
  SessionEventRepository,
} from '@reverie/sessions-data-access';
import { SessionReader } from '@reverie/sessions-data-access/readers';
import { eventAppended } from '@reverie/sessions-domain';
import { someEvents } from '@reverie/testing';
import { stackEnv, uniqueName } from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
import { SessionIngestService } from './session-ingest.service';
import { TelemetryModule } from '@reverie/telemetry';
import { SessionsIngestModule } from './sessions-ingest.module';

/**
 * The paged layout on a real MongoDB-wire server: events of a session in pages of 100 addressed by
 * `_id`, read back whole and in order, closed early by size, continued after a crash between page
 * writes, kept per tenant, and migrated from the one-document-per-event layout.
 */
describe('session event pages', () => {
  const db = uniqueName('test_pages');
  let app: INestApplicationContext;
  let connection: Connection;

  const start = async () => {
    @Module({
      imports: [
        MongooseModule.forRoot(stackEnv().mongoUrl, { dbName: db }),
        TelemetryModule.forRoot('test'),
        SessionsIngestModule,
      ],
    })
    class PagesModule {}
    return NestFactory.createApplicationContext(PagesModule, { logger: false });
  };
  const envelopes = (tenantId: string, sessionId: string, bodies: SessionEventBody[]) =>
    bodies.map((event) =>
      eventAppended({ tenantId, agentId: 'agt_1', sessionId }, event, new Date().toISOString()),
    );
  const pagesOf = (tenantId: string, sessionId: string) =>
    connection
      .collection('session_event_pages')
      .find({ tenantId, sessionId })
      .sort({ page: 1 })
      .project({ page: 1, n: 1, firstSeq: 1, closed: 1 })
      .toArray();
  const seqs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  beforeAll(async () => {
    app = await start();
    connection = app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await app.close();
  });

  it('stores 250 events sent in uneven batches as 3 pages and reads them back in order', async () => {
    const ingest = app.get(SessionIngestService);
    const bodies = someEvents(250, 'p');
    for (const [from, to] of [
      [0, 30],
      [30, 130],
      [130, 131],
      [131, 250],
    ])
      await ingest.ingest(envelopes('acme', 'ses_p', bodies.slice(from, to)));

    expect(await pagesOf('acme', 'ses_p')).toEqual([
      { _id: 'acme|ses_p|0', page: 0, n: PAGE_EVENTS, firstSeq: 1, closed: false },
      { _id: 'acme|ses_p|1', page: 1, n: PAGE_EVENTS, firstSeq: 101, closed: false },
      { _id: 'acme|ses_p|2', page: 2, n: 50, firstSeq: 201, closed: false },
    ]);
    const reader = app.get(SessionReader);
    const read = await reader.events('acme', 'ses_p');
    expect(read.map((e) => e.seq)).toEqual(seqs(250));
    expect(read.map((e) => e.body.clientEventId)).toEqual(bodies.map((b) => b.clientEventId));

    const repo = app.get(SessionEventRepository);
    const page = await repo.page('acme', 'ses_p', 95, 10);
    expect(page.map((e) => e.seq)).toEqual([96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106]);
    expect(page[0]).toMatchObject({ tenantId: 'acme', sessionId: 'ses_p', agentId: 'agt_1' });
    expect((await repo.page('acme', 'ses_p', 240, 100)).map((e) => e.seq)).toEqual([
      241, 242, 243, 244, 245, 246, 247, 248, 249, 250,
    ]);
    expect(await repo.page('acme', 'ses_p', 250, 100)).toEqual([]);
  });

  it('applies an event filter to the pages of several sessions, per tenant', async () => {
    const ingest = app.get(SessionIngestService);
    await ingest.ingest(envelopes('acme', 'ses_f', someEvents(8, 'f')));
    await ingest.ingest(envelopes('globex', 'ses_f', someEvents(4, 'g')));
    const reader = app.get(SessionReader);
    const calls = await reader.eventsOf('acme', ['ses_f', 'ses_p'], { 'body.type': 'tool_call' });
    expect(calls.map((e) => [e.sessionId, e.seq])).toEqual([
      ...[2, 6].map((seq) => ['ses_f', seq]),
      ...Array.from({ length: 63 }, (_, i) => ['ses_p', 4 * i + 2]).filter(([, s]) => +s <= 250),
    ]);
    expect(calls.every((e) => e.body.type === 'tool_call')).toBe(true);
    expect((await reader.eventsOf('globex', ['ses_f'])).map((e) => e.body.clientEventId)).toEqual([
      'g-0',
      'g-1',
      'g-2',
      'g-3',
    ]);
    expect(await reader.events('globex', 'ses_p')).toEqual([]);
    await expect(reader.eventsOf('acme', ['ses_f'], { $where: 'true' })).rejects.toThrow(
      /operator \$where is not supported/,
    );
  });

  it('closes a page early when its bodies pass the byte budget', async () => {
    const big = (i: number): SessionEventBody => ({
      clientEventId: `big-${i}`,
      type: 'message',
      role: 'assistant',
      content: 'x'.repeat(90_000),
    });
    const ingest = app.get(SessionIngestService);
    await ingest.ingest(
      envelopes(
        'acme',
        'ses_big',
        Array.from({ length: 60 }, (_, i) => big(i)),
      ),
    );
    await ingest.ingest(envelopes('acme', 'ses_big', someEvents(3, 'small')));
    const pages = await pagesOf('acme', 'ses_big');
    expect(pages.map((p) => p.page)).toEqual([0, 1]);
    expect(pages[0]).toMatchObject({ closed: true, firstSeq: 1 });
    expect(pages[0].n).toBeLessThan(60);
    expect(pages[1].firstSeq).toBe(pages[0].n + 1);
    expect((await app.get(SessionReader).events('acme', 'ses_big')).map((e) => e.seq)).toEqual(
      seqs(63),
    );
  });

  it('continues after a crash between page writes without duplicates or gaps', async () => {
    const bodies = someEvents(160, 'c');
    await app.get(SessionIngestService).ingest(envelopes('acme', 'ses_c', bodies.slice(0, 150)));
    // As if the process died after writing page 0 and before page 1.
    await connection.collection('session_event_pages').deleteOne({ _id: 'acme|ses_c|1' as never });
    const restarted = await start();
    try {
      await restarted
        .get(SessionIngestService)
        .ingest(envelopes('acme', 'ses_c', bodies.slice(0, 160)));
    } finally {
      await restarted.close();
    }
    const read = await app.get(SessionReader).events('acme', 'ses_c');
    expect(read.map((e) => e.seq)).toEqual(seqs(160));
    expect(read.map((e) => e.body.clientEventId)).toEqual(bodies.map((b) => b.clientEventId));
  });

  it('migrates one-document-per-event sessions into pages, idempotently and resumably', async () => {
    const legacy = connection.collection<Record<string, unknown> & { _id: string }>(
      'session_events',
    );
    const old = (tenantId: string, sessionId: string, n: number) =>
      someEvents(n, sessionId).map((body, i) => ({
        _id: `${tenantId}-${sessionId}-${i}`,
        tenantId,
        sessionId,
        agentId: 'agt_1',
        seq: i + 1,
        clientEventId: body.clientEventId,
        type: body.type,
        body,
        receivedAt: new Date(),
        storedAt: new Date(),
      }));
    await legacy.insertMany(
      [...old('acme', 'ses_m1', 130), ...old('globex', 'ses_m1', 3)].reverse(),
    );
    // A first run stopped after writing ses_m1's first page (its legacy documents still there).
    const firstPage = old('acme', 'ses_m1', 100);
    await connection.collection('session_event_pages').insertOne({
      _id: 'acme|ses_m1|0' as never,
      tenantId: 'acme',
      sessionId: 'ses_m1',
      agentId: 'agt_1',
      page: 0,
      firstSeq: 1,
      n: 100,
      bytes: 1,
      events: firstPage.map(({ _id, seq, body, receivedAt, storedAt }) => ({
        _id,
        seq,
        body,
        receivedAt,
        storedAt,
      })),
    });

    const report = await migrateEventsToPages(connection);
    expect(report).toEqual({ sessions: 2, moved: 33, alreadyPaged: 100, refused: [] });
    expect(await legacy.countDocuments()).toBe(0);
    const reader = app.get(SessionReader);
    const acme = await reader.events('acme', 'ses_m1');
    expect(acme.map((e) => e.seq)).toEqual(seqs(130));
    expect(acme.map((e) => e.body.clientEventId)).toEqual(
      someEvents(130, 'ses_m1').map((b) => b.clientEventId),
    );
    expect((await reader.events('globex', 'ses_m1')).map((e) => e.seq)).toEqual(seqs(3));
    expect(await migrateEventsToPages(connection)).toEqual({
      sessions: 0,
      moved: 0,
      alreadyPaged: 0,
      refused: [],
    });

    // Ingest continues the migrated session after seq 130 and recognises its old event ids.
    const more = envelopes('acme', 'ses_m1', someEvents(2, 'after'));
    await app.get(SessionIngestService).ingest(more);
    expect((await reader.events('acme', 'ses_m1')).map((e) => e.seq)).toEqual(seqs(132));
  });

  it('leaves a session whose pages hold other events at the old seqs, deleting nothing', async () => {
    const legacy = connection.collection<Record<string, unknown> & { _id: string }>(
      'session_events',
    );
    // Events numbered anew into pages before the old ones moved (an old writer, a half upgrade).
    await app.get(SessionIngestService).ingest(envelopes('acme', 'ses_m2', someEvents(2, 'new')));
    const oldDocs = someEvents(3, 'old').map((body, i) => ({
      _id: `old-ses_m2-${i}`,
      tenantId: 'acme',
      sessionId: 'ses_m2',
      agentId: 'agt_1',
      seq: i + 1,
      clientEventId: body.clientEventId,
      type: body.type,
      body,
      receivedAt: new Date(),
      storedAt: new Date(),
    }));
    await legacy.insertMany(oldDocs);

    const report = await migrateEventsToPages(connection);
    expect(report.refused).toEqual(['acme/ses_m2']);
    expect(await legacy.countDocuments({ sessionId: 'ses_m2' })).toBe(3);
    const reader = app.get(SessionReader);
    expect((await reader.events('acme', 'ses_m2')).map((e) => e.seq)).toEqual(seqs(2));
    await legacy.deleteMany({ sessionId: 'ses_m2' });
  });
});
