import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { RUN_NOT_ACKNOWLEDGED } from '@reverie/sessions-domain';
import type { Collection } from 'mongoose';
import { SessionsDataAccessModule } from '../sessions-data-access.module';
import { SessionRepository } from './session.repository';

const T0 = new Date('2025-03-01T00:00:00.000Z');
const T1 = new Date('2025-03-01T00:05:00.000Z');

type Doc = Record<string, unknown> & { _id: string };

/** A running session as the gateway stores it; `extra` overrides (e.g. an `iteration`). */
const running = (id: string, extra: Record<string, unknown> = {}): Doc => ({
  _id: id,
  tenantId: 'acme',
  agentId: 'agt_1',
  status: 'running',
  source: 'managed',
  lastSeq: 0,
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

/**
 * Status changes that depend on the status and attempt they find (`end`, `startRevision`): each
 * acts once, on the attempt it names, in its tenant, also for sessions stored without an attempt.
 */
describe('SessionRepository status changes', () => {
  const db = uniqueName('test_session_repo');
  let context: DataAccessContext;
  let repo: SessionRepository;
  let sessions: Collection<Doc>;

  beforeAll(async () => {
    context = await startDataAccess(SessionsDataAccessModule, db);
    repo = context.app.get(SessionRepository);
    sessions = context.connection.collection<Doc>('sessions');
  }, 60_000);
  afterAll(() => context?.close());

  const stored = (id: string) => sessions.findOne({ _id: id });

  it('says whether a session has feedback: no from its insert, yes once marked, for good', async () => {
    const started = {
      id: 'evt_s',
      type: 'session.started',
      tenantId: 'acme',
      agentId: 'agt_1',
      sessionId: 'ses_fb',
      occurredAt: T0.toISOString(),
      schemaVersion: 1,
      payload: { source: 'external' },
    } as unknown as Parameters<SessionRepository['upsertStarted']>[0];
    await repo.upsertStarted(started);
    await repo.insertManaged('acme', [{ _id: 'ses_fbm', agentId: 'agt_1', run: {} as never }], T0);
    expect(await stored('ses_fb')).toMatchObject({ hasFeedback: false });
    expect(await stored('ses_fbm')).toMatchObject({ hasFeedback: false });
    await repo.markFeedback('acme', 'ses_fb');
    await repo.markFeedback('globex', 'ses_fbm'); // another tenant's: left alone
    // A redelivered start leaves the flag as it is.
    await repo.upsertStarted(started);
    expect(await stored('ses_fb')).toMatchObject({ hasFeedback: true });
    expect(await stored('ses_fbm')).toMatchObject({ hasFeedback: false });
  });

  it('ends a running session stored without an attempt, once', async () => {
    await sessions.insertOne(running('ses_a'));
    const ended = await repo.end('acme', 'ses_a', 'completed', 'landed', T1);
    expect(ended).toMatchObject({ _id: 'ses_a', status: 'completed', endReason: 'landed' });
    expect(await repo.end('acme', 'ses_a', 'failed', 'again', T1)).toBeNull();
    expect(await stored('ses_a')).toMatchObject({ status: 'completed', endReason: 'landed' });
  });

  it("leaves another tenant's session and an unknown one alone", async () => {
    await sessions.insertOne(running('ses_b'));
    expect(await repo.end('other', 'ses_b', 'completed', undefined, T1)).toBeNull();
    expect(await repo.end('acme', 'ses_none', 'completed', undefined, T1)).toBeNull();
    await repo.startRevision('other', 'ses_a', 2);
    expect(await stored('ses_b')).toMatchObject({ status: 'running' });
    expect(await stored('ses_a')).toMatchObject({ status: 'completed' });
  });

  it('runs an ended session again on a later attempt, and ends only that attempt', async () => {
    await sessions.insertOne(running('ses_c', { status: 'completed', endedAt: T1 }));
    await repo.startRevision('acme', 'ses_c', 2);
    const revised = await stored('ses_c');
    expect(revised).toMatchObject({ status: 'running', iteration: 2 });
    expect(revised?.endedAt).toBeUndefined();

    await repo.startRevision('acme', 'ses_c', 2); // a redelivery: already on attempt 2
    expect(await repo.end('acme', 'ses_c', 'completed', undefined, T1, 1)).toBeNull(); // old end
    expect(await stored('ses_c')).toMatchObject({ status: 'running', iteration: 2 });

    const ended = await repo.end('acme', 'ses_c', 'failed', 'crashed', T1, 2);
    expect(ended).toMatchObject({ status: 'failed', iteration: 2, endReason: 'crashed' });
  });

  it('does not run a session again on an attempt it has passed, nor a running one', async () => {
    await sessions.insertOne(running('ses_d', { status: 'completed', iteration: 3 }));
    await repo.startRevision('acme', 'ses_d', 2);
    expect(await stored('ses_d')).toMatchObject({ status: 'completed', iteration: 3 });

    await sessions.insertOne(running('ses_e'));
    await repo.startRevision('acme', 'ses_e', 2);
    expect(await stored('ses_e')).toMatchObject({ status: 'running' });
    expect((await stored('ses_e'))?.iteration).toBeUndefined();
  });

  it('cancels a session whose run command was not acknowledged; one keyed retry reopens it', async () => {
    await sessions.insertMany([running('ses_u'), running('ses_v', { status: 'completed' })]);
    await repo.cancelUnsent('acme', ['ses_u', 'ses_v'], T1);
    expect(await stored('ses_u')).toMatchObject({
      status: 'canceled',
      endReason: RUN_NOT_ACKNOWLEDGED,
      endedAt: T1,
    });
    expect(await stored('ses_v')).toMatchObject({ status: 'completed' }); // it ran: left alone

    expect(await repo.reopenUnsent('other', 'ses_u')).toBe(false);
    const racing = await Promise.all([
      repo.reopenUnsent('acme', 'ses_u'),
      repo.reopenUnsent('acme', 'ses_u'),
    ]);
    expect(racing.sort()).toEqual([false, true]);
    const reopened = await stored('ses_u');
    expect(reopened).toMatchObject({ status: 'running' });
    expect(reopened?.endReason).toBeUndefined();
    expect(reopened?.endedAt).toBeUndefined();

    // A session its client canceled is not reopened.
    await sessions.insertOne(running('ses_w', { status: 'canceled', endReason: 'gave up' }));
    expect(await repo.reopenUnsent('acme', 'ses_w')).toBe(false);
  });

  it("stores a keyed batch retry's missing sessions only, and reopens those canceled as not acknowledged", async () => {
    const managed = (id: string) => ({
      _id: id,
      agentId: 'agt_1',
      run: { environment: 'ci-log-triage', task: { caseId: 'c' } } as never,
      batchId: 'bat_1',
    });
    await repo.insertManaged('acme', [managed('ses_b1')], T0);
    await repo.cancelUnsent('acme', ['ses_b1'], T1);
    await repo.insertMissing('acme', [managed('ses_b1'), managed('ses_b2')], T0);
    expect(await stored('ses_b1')).toMatchObject({ status: 'canceled' }); // left as it was
    expect(await stored('ses_b2')).toMatchObject({ status: 'running', batchId: 'bat_1' });
    await repo.insertMissing('acme', [managed('ses_b1'), managed('ses_b2')], T0); // nothing left

    await sessions.insertOne(running('ses_b3', { status: 'canceled', endReason: 'gave up' }));
    expect(await repo.reopenAllUnsent('other', ['ses_b1'])).toBe(0);
    expect(await repo.reopenAllUnsent('acme', ['ses_b1', 'ses_b2', 'ses_b3', 'ses_none'])).toBe(1);
    expect(await repo.statusesOf('acme', ['ses_b1', 'ses_b2', 'ses_b3', 'ses_none'])).toEqual(
      new Map([
        ['ses_b1', 'running'],
        ['ses_b2', 'running'],
        ['ses_b3', 'canceled'],
      ]),
    );
    expect(await repo.statusesOf('other', ['ses_b1'])).toEqual(new Map());
  });

  it('takes the end of a run that started before its session was canceled as not acknowledged', async () => {
    await sessions.insertOne(running('ses_x'));
    await repo.cancelUnsent('acme', ['ses_x'], T0);
    // An end of another attempt changes nothing; the run's end of attempt 1 is what happened.
    expect(await repo.end('acme', 'ses_x', 'completed', undefined, T1, 2)).toBeNull();
    const ended = await repo.end('acme', 'ses_x', 'completed', undefined, T1);
    expect(ended).toMatchObject({ status: 'completed', endedAt: T1 });
    expect(ended?.endReason).toBeUndefined();
    expect(await repo.end('acme', 'ses_x', 'failed', 'again', T1)).toBeNull();
  });
});
