import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import { SessionEventRepository } from '@reverie/sessions-data-access';
import { encodeEventsAppended, SCHEMA_VERSION, sessionEventId } from '@reverie/contracts';
import { eventAppended } from '@reverie/sessions-domain';
import { someEvents } from '@reverie/testing';
import { stackEnv, uniqueName } from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
import { TelemetryModule } from '@reverie/telemetry';
import { SessionIngestService } from './session-ingest.service';
import { SessionsIngestModule } from './sessions-ingest.module';

/**
 * Two ingest writers on one database, as when a partition moves between gateway replicas during
 * a rebalance: whatever each remembers, the stored seqs stay unique and gap-free.
 */
describe('SessionIngestService with two writers', () => {
  const db = uniqueName('test_ingest');
  const tenantId = 'acme';
  const sessionId = uniqueName('ses');
  let a: INestApplicationContext;
  let b: INestApplicationContext;

  const start = async () => {
    @Module({
      imports: [
        MongooseModule.forRoot(stackEnv().mongoUrl, { dbName: db }),
        TelemetryModule.forRoot('test'),
        SessionsIngestModule,
      ],
    })
    class WriterModule {}
    return NestFactory.createApplicationContext(WriterModule, {
      logger: false,
      abortOnError: false,
    });
  };
  const envelopes = (from: number, to: number) =>
    someEvents(to, 'w')
      .slice(from)
      .map((event) =>
        eventAppended({ tenantId, agentId: 'agt_1', sessionId }, event, new Date().toISOString()),
      );
  const stored = async () =>
    (await a.get(SessionEventRepository).page(tenantId, sessionId, 0, 1_000)).map((e) => [
      e.seq,
      e.clientEventId,
    ]);
  const expected = (n: number) => Array.from({ length: n }, (_, i) => [i + 1, `w-${i}`]);

  beforeAll(async () => {
    [a, b] = await Promise.all([start(), start()]);
  });
  afterAll(async () => {
    await a.get<Connection>(getConnectionToken()).dropDatabase();
    await Promise.all([a.close(), b.close()]);
  });

  it('re-plans when what a writer remembers is stale', async () => {
    await a.get(SessionIngestService).ingest(envelopes(0, 10)); // a remembers seq 10
    await b.get(SessionIngestService).ingest(envelopes(10, 15)); // b stores 11..15
    await a.get(SessionIngestService).ingest(envelopes(15, 20)); // a must not reuse 11
    expect(await stored()).toEqual(expected(20));

    // A full redelivery to either writer changes nothing.
    await b.get(SessionIngestService).ingest(envelopes(0, 20));
    await a.get(SessionIngestService).ingest(envelopes(0, 20));
    expect(await stored()).toEqual(expected(20));
  });

  it('keeps seqs unique and gap-free when both write the same session at once', async () => {
    const first = envelopes(20, 120);
    const second = envelopes(120, 220);
    await Promise.all([
      a.get(SessionIngestService).ingest(first),
      b.get(SessionIngestService).ingest(second),
    ]);
    const all = await stored();
    expect(all.map(([seq]) => seq)).toEqual(Array.from({ length: 220 }, (_, i) => i + 1));
    expect(new Set(all.map(([, id]) => id)).size).toBe(220);
    // Each writer's own events keep their order.
    const order = (ids: string[]) =>
      all.filter(([, id]) => ids.includes(id as string)).map(([, id]) => id);
    const firstIds = first.map((m) => m.payload.event.clientEventId);
    expect(order(firstIds)).toEqual(firstIds);
  });

  /** A running session stored as the gateway stores one, and the collection to look at it in. */
  const aRunningSession = async () => {
    const other = uniqueName('ses');
    const sessions = a.get<Connection>(getConnectionToken()).collection('sessions');
    await sessions.insertOne({
      _id: other,
      tenantId,
      agentId: 'agt_1',
      status: 'running',
    } as never);
    return { other, sessions };
  };

  it('raises the watermark on a redelivery of events already stored', async () => {
    // The events were stored, then the write of the session's lastSeq failed (MongoDB went away
    // between the two): the transport redelivers, nothing is new, and the watermark must still
    // reach the last stored seq.
    const { other, sessions } = await aRunningSession();
    const batch = someEvents(5, 'r').map((event) =>
      eventAppended(
        { tenantId, agentId: 'agt_1', sessionId: other },
        event,
        new Date().toISOString(),
      ),
    );
    await a.get(SessionIngestService).ingest(batch);
    expect((await sessions.findOne({ _id: other } as never))?.lastSeq).toBe(5);

    await sessions.updateOne({ _id: other } as never, { $set: { lastSeq: 2 } });
    await b.get(SessionIngestService).ingest(batch);
    expect((await sessions.findOne({ _id: other } as never))?.lastSeq).toBe(5);
  });

  it('marks the end stored once the events sent before it are stored', async () => {
    const { other, sessions } = await aRunningSession();
    const to = { tenantId, agentId: 'agt_1', sessionId: other };
    const at = new Date().toISOString();
    const ended = {
      id: uniqueName('msg'),
      type: 'session.ended' as const,
      ...to,
      occurredAt: at,
      schemaVersion: SCHEMA_VERSION,
      payload: { status: 'completed' as const },
    };
    await a
      .get(SessionIngestService)
      .ingest([...someEvents(3, 'e').map((event) => eventAppended(to, event, at)), ended]);
    const stored = await sessions.findOne({ _id: other } as never);
    expect(stored).toMatchObject({ status: 'completed', lastSeq: 3, endStoredIteration: 1 });
  });

  it('stores events_appended messages as their events sent one by one, both forms mixed', async () => {
    const { other, sessions } = await aRunningSession();
    const to = { tenantId, agentId: 'agt_1', sessionId: other };
    const at = new Date().toISOString();
    const events = someEvents(9, 'm');
    const batched = (from: number, until: number) =>
      encodeEventsAppended(
        to,
        uniqueName('msg'),
        at,
        events.slice(from, until).map((event) => {
          const id = sessionEventId(tenantId, other, event.clientEventId);
          const json = JSON.stringify(event);
          return { id, event, json, bytes: json.length };
        }),
      ).message;
    const single = (i: number) => eventAppended(to, events[i], at);
    // In order: a batch, two singles, a batch re-sending 4 and 5 (a client retry) with 6 to 8.
    await a.get(SessionIngestService).ingest([batched(0, 3), single(3), single(4), batched(3, 9)]);
    // A redelivery of all of it, in the other form, to the other writer: nothing new.
    await b.get(SessionIngestService).ingest([batched(0, 9), ...events.map((_, i) => single(i))]);
    const page = await a.get(SessionEventRepository).page(tenantId, other, 0, 100);
    expect(page.map((e) => [e.seq, e.clientEventId, e._id])).toEqual(
      events.map((e, i) => [
        i + 1,
        e.clientEventId,
        sessionEventId(tenantId, other, e.clientEventId),
      ]),
    );
    expect(page[0].receivedAt).toEqual(new Date(at));
    expect((await sessions.findOne({ _id: other } as never))?.lastSeq).toBe(9);
  });

  it('stores a started and a feedback message sent twice (a retry under its Idempotency-Key) once', async () => {
    // The gateway re-sends the very same messages (same ids, same session) when a client retries
    // under its key; the first attempt's copy may arrive late, in any batch, to either writer.
    const newSession = uniqueName('ses');
    const to = { tenantId, agentId: 'agt_1', sessionId: newSession };
    const at = new Date().toISOString();
    const started = {
      id: uniqueName('msg'),
      type: 'session.started' as const,
      ...to,
      occurredAt: at,
      schemaVersion: SCHEMA_VERSION,
      payload: { source: 'external' as const, title: 'once', playbook: null },
    };
    const feedbackId = uniqueName('fbk');
    const feedback = {
      id: feedbackId,
      type: 'session.feedback_submitted' as const,
      ...to,
      occurredAt: at,
      schemaVersion: SCHEMA_VERSION,
      payload: { feedbackId, rating: 'positive' as const, comment: 'once' },
    };
    await a.get(SessionIngestService).ingest([started, feedback, started, feedback]);
    await b.get(SessionIngestService).ingest([started, feedback]);
    const connection = a.get<Connection>(getConnectionToken());
    const sessions = await connection
      .collection('sessions')
      .find({ tenantId, _id: newSession } as never)
      .toArray();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: 'running', title: 'once', hasFeedback: true });
    const stored = await connection
      .collection('feedback')
      .find({ tenantId, sessionId: newSession } as never)
      .toArray();
    expect(stored.map((f) => [f._id, f.comment])).toEqual([[feedbackId, 'once']]);
  });
});
