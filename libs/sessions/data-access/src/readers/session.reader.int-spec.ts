import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
import { SessionsReadersModule } from './sessions-readers.module';
import { SessionReader, type ReviewCursor } from './session.reader';

const T0 = new Date('2025-03-01T00:00:00.000Z');

/** A session document as the gateway stores it. */
const session = (id: string, agentId: string, status: string, extra = {}) => ({
  _id: id,
  tenantId: 'acme',
  agentId,
  status,
  source: 'managed',
  title: 'a task',
  metadata: {},
  lastSeq: 0,
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

/** Reads what the gateway stores (inserted here as raw documents of the gateway's shape). */
describe('SessionReader', () => {
  const db = uniqueName('test_session_reader');
  let context: DataAccessContext;
  let reader: SessionReader;
  let connection: Connection;

  beforeAll(async () => {
    context = await startDataAccess(SessionsReadersModule, db);
    reader = context.app.get(SessionReader);
    connection = context.connection;

    await connection.collection<Record<string, unknown> & { _id: string }>('sessions').insertMany([
      session('ses_01', 'agt_1', 'completed', {
        run: { environment: 'lunar-lander' },
        iteration: 2,
        endReason: 'landed',
        endedAt: T0,
        lastSeq: 2,
      }),
      session('ses_02', 'agt_1', 'running'),
      session('ses_03', 'agt_1', 'failed'),
      session('ses_04', 'agt_1', 'canceled'),
      session('ses_05', 'agt_2', 'completed'),
    ]);
    const event = (seq: number, text: string) => ({
      _id: `evt_${seq}`,
      seq,
      body: { type: 'message', clientEventId: `c${seq}`, role: 'assistant', content: text },
      receivedAt: T0,
      storedAt: T0,
    });
    // One page, as ingest stores a session's first events.
    await connection
      .collection<Record<string, unknown> & { _id: string }>('session_event_pages')
      .insertOne({
        _id: 'acme|ses_01|0',
        tenantId: 'acme',
        sessionId: 'ses_01',
        agentId: 'agt_1',
        page: 0,
        firstSeq: 1,
        n: 2,
        bytes: 200,
        events: [event(1, 'first'), event(2, 'second')],
      });
    await connection.collection<Record<string, unknown> & { _id: string }>('feedback').insertMany([
      {
        _id: 'fbk_2',
        tenantId: 'acme',
        sessionId: 'ses_01',
        agentId: 'agt_1',
        rating: 'negative',
        comment: 'too slow',
        createdAt: T0,
      },
      {
        _id: 'fbk_1',
        tenantId: 'acme',
        sessionId: 'ses_01',
        agentId: 'agt_1',
        rating: 'positive',
        eventId: 'c1',
        createdAt: T0,
      },
    ]);
  });
  afterAll(() => context?.close());

  it('reads a session with only the fields the grader needs', async () => {
    expect(await reader.session('acme', 'ses_01')).toEqual({
      _id: 'ses_01',
      agentId: 'agt_1',
      status: 'completed',
      source: 'managed',
      run: { environment: 'lunar-lander' },
      iteration: 2,
      endReason: 'landed',
      endedAt: T0,
      lastSeq: 2,
    });
    expect(await reader.session('acme', 'ses_nope')).toBeNull();
    expect(await reader.session('globex', 'ses_01')).toBeNull();
  });

  it("reads a session's events in seq order and its feedback", async () => {
    expect(await reader.events('acme', 'ses_01')).toEqual([
      {
        seq: 1,
        body: { type: 'message', clientEventId: 'c1', role: 'assistant', content: 'first' },
      },
      {
        seq: 2,
        body: { type: 'message', clientEventId: 'c2', role: 'assistant', content: 'second' },
      },
    ]);
    expect(await reader.events('globex', 'ses_01')).toEqual([]);
    expect(await reader.feedback('acme', 'ses_01')).toEqual([
      { _id: 'fbk_1', rating: 'positive', eventId: 'c1', createdAt: T0 },
      { _id: 'fbk_2', rating: 'negative', comment: 'too slow', createdAt: T0 },
    ]);
    expect(await reader.feedback('globex', 'ses_01')).toEqual([]);
  });

  it('reads the feedback of a session that may have some, and none for one that says it has none', async () => {
    const all = await reader.feedback('acme', 'ses_01');
    expect(all).toHaveLength(2);
    // Stored before the flag existed (absent): read. Flagged: read.
    expect(await reader.feedbackOf('acme', { _id: 'ses_01' })).toEqual(all);
    expect(await reader.feedbackOf('acme', { _id: 'ses_01', hasFeedback: true })).toEqual(all);
    // Says none: no query is sent, so what the collection holds is not returned.
    expect(await reader.feedbackOf('acme', { _id: 'ses_01', hasFeedback: false })).toEqual([]);
    // The flag comes with the session the grader reads.
    await connection
      .collection<Record<string, unknown> & { _id: string }>('sessions')
      .insertOne(session('ses_06', 'agt_2', 'completed', { hasFeedback: false }));
    expect(await reader.session('acme', 'ses_06')).toMatchObject({ hasFeedback: false });
  });

  it("finds sessions by id and an agent's most recent ended ones", async () => {
    const found = await reader.sessionsByIds('acme', ['ses_01', 'ses_02', 'ses_nope']);
    expect(found.map((s) => s._id).sort()).toEqual(['ses_01', 'ses_02']);
    expect(found.find((s) => s._id === 'ses_02')).toEqual({
      _id: 'ses_02',
      agentId: 'agt_1',
      status: 'running',
    });
    expect(await reader.sessionsByIds('globex', ['ses_01'])).toEqual([]);
    // What a run under way watches: status, end reason and attempt, of this tenant's only.
    const statuses = await reader.statusesByIds('acme', ['ses_01', 'ses_02', 'ses_nope']);
    expect(statuses.sort((a, b) => a._id.localeCompare(b._id))).toEqual([
      { _id: 'ses_01', status: 'completed', endReason: 'landed', iteration: 2 },
      { _id: 'ses_02', status: 'running' },
    ]);
    expect(await reader.statusesByIds('globex', ['ses_01'])).toEqual([]);
    expect(await reader.statusesByIds('acme', [])).toEqual([]);
    expect((await reader.recentEnded('acme', 'agt_1', 10)).map((s) => s._id)).toEqual([
      'ses_04',
      'ses_03',
      'ses_01',
    ]);
    expect((await reader.recentEnded('acme', 'agt_1', 2)).map((s) => s._id)).toEqual([
      'ses_04',
      'ses_03',
    ]);
  });

  it('pages through ended sessions by (end time, id): ties at a page boundary are neither skipped nor repeated', async () => {
    const T1 = new Date('2025-03-02T00:00:00.000Z');
    const T2 = new Date('2025-03-03T00:00:00.000Z');
    const ended = (id: string, endedAt: Date) => session(id, 'agt_pages', 'completed', { endedAt });
    await connection
      .collection<Record<string, unknown> & { _id: string }>('sessions')
      .insertMany([
        ended('ses_p4', T2),
        ended('ses_p2', T1),
        ended('ses_p1', T1),
        ended('ses_p3', T1),
        session('ses_p5', 'agt_pages', 'running'),
      ]);
    const seen: string[] = [];
    let after: ReviewCursor | null = null;
    for (let page = 0; page < 5; page++) {
      const rows = await reader.endedForReview('acme', 'agt_pages', { after, limit: 2 });
      if (!rows.length) break;
      seen.push(...rows.map((r) => r._id));
      const last = rows[rows.length - 1];
      after = { endedAt: new Date(last.endedAt ?? 0), sessionId: last._id };
    }
    expect(seen).toEqual(['ses_p1', 'ses_p2', 'ses_p3', 'ses_p4']);
    // A cursor without a session id counts everything that ended at its time as reviewed.
    const since = await reader.endedForReview('acme', 'agt_pages', {
      after: { endedAt: T1, sessionId: null },
      limit: 10,
    });
    expect(since.map((r) => r._id)).toEqual(['ses_p4']);
    // Named sessions: only ended ones of this agent.
    const named = await reader.endedForReview('acme', 'agt_pages', {
      ids: ['ses_p3', 'ses_p5', 'ses_01'],
      limit: 10,
    });
    expect(named.map((r) => r._id)).toEqual(['ses_p3']);
  });
});
