import {
  SCHEMA_VERSION,
  sessionEventId,
  TOPICS,
  type SessionTopicMessage,
} from '@reverie/contracts';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { tapTopic, uniqueName, type TopicTap } from '@reverie/testing/integration';
// The real gateway stores what the orchestrator publishes (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  readAllEvents,
  startGateway,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
import {
  dropDatabase,
  endedSession,
  aLunarTeamAgent,
  orchestratorEnv,
  publisher,
  startOrchestrator,
  type RunningOrchestrator,
  type StoredEvent,
} from './orchestrator.harness';

/**
 * EVENT_MESSAGES on the orchestrator: the same landing flown with `batch` (each step's events one
 * `session.events_appended`) and with `single` (one `session.event_appended` per event, the form
 * before) is stored alike by the real gateway: same events in the same order, seqs 1..n, ids
 * derived from the client event ids; a redelivered batch stores nothing twice.
 */
describe('managed sessions through session.events_appended (orchestrator EVENT_MESSAGES)', () => {
  let gateway: RunningGateway;
  let api: ApiClient;
  let agentId: string;
  let tap: TopicTap<SessionTopicMessage>;
  const tenantId = uniqueName('evmsg');

  beforeAll(async () => {
    gateway = await startGateway();
    api = await gateway.tenant(tenantId);
    agentId = await aLunarTeamAgent(api);
    tap = await tapTopic<SessionTopicMessage>(TOPICS.sessionEvents, (m) => m.tenantId === tenantId);
  });

  afterAll(async () => {
    await tap?.stop();
    await gateway?.close();
  });

  /** Flies easy #0 on an orchestrator with this EVENT_MESSAGES; returns the ended session. */
  const landWith = async (eventMessages: 'batch' | 'single') => {
    const orchestrator: RunningOrchestrator = await startOrchestrator(
      await orchestratorEnv({ EVENT_MESSAGES: eventMessages }),
    );
    try {
      const created = await api.post('/v1/sessions', {
        agentId,
        run: { environment: 'lunar-lander', task: { family: 'easy', index: 0 } },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const session = await endedSession(api, id);
      return { id, session, events: (await readAllEvents(api, id, 1_000)) as StoredEvent[] };
    } finally {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
  };
  const recordsOf = (sessionId: string) => tap.messages.filter((m) => m.sessionId === sessionId);
  /** An event as stored, less what names its session or says when it was received. */
  const content = (event: StoredEvent) => {
    const rest = { ...event };
    for (const key of ['id', 'seq', 'sessionId', 'receivedAt', 'occurredAt', 'storedAt'])
      delete rest[key];
    return rest;
  };

  it('stores a landing sent as one events_appended per step exactly as one record per event', async () => {
    const batch = await landWith('batch');
    const single = await landWith('single');
    expect(batch.session.status).toBe('completed');
    expect(single.session.status).toBe('completed');

    // What each orchestrator produced (the end is read, so everything before it is).
    await expectEventually(() => {
      expect(recordsOf(batch.id).at(-1)?.type).toBe('session.ended');
      expect(recordsOf(single.id).at(-1)?.type).toBe('session.ended');
    });
    const batchRecords = recordsOf(batch.id);
    const types = (records: SessionTopicMessage[]) => [...new Set(records.map((m) => m.type))];
    expect(types(batchRecords)).toEqual([
      'session.started',
      'session.events_appended',
      'session.ended',
    ]);
    expect(types(recordsOf(single.id))).toEqual([
      'session.started',
      'session.event_appended',
      'session.ended',
    ]);
    const entries = batchRecords.flatMap((m) =>
      m.type === 'session.events_appended' ? m.payload.events : [],
    );
    // Fewer records than events: several events a step.
    expect(batchRecords.length).toBeLessThan(entries.length / 2);

    // Stored alike: every event, in order, seqs 1..n, ids from the client event ids.
    expect(batch.events).toHaveLength(batch.session.eventCount);
    expect(batch.events.map((e) => e.seq)).toEqual(batch.events.map((_, i) => i + 1));
    expect(batch.events.map((e) => e.id)).toEqual(entries.map((e) => e.id));
    expect(batch.events.map((e) => e.id)).toEqual(
      batch.events.map((e) => sessionEventId(tenantId, batch.id, e.clientEventId)),
    );
    expect(batch.events.map(content)).toEqual(single.events.map(content));

    // A redelivered step stores nothing twice: the event sent after it is the next seq.
    const step = batchRecords.find((m) => m.type === 'session.events_appended');
    if (!step) throw new Error('no session.events_appended was produced');
    const kafka = await publisher();
    try {
      await kafka.publish(TOPICS.sessionEvents, [
        step,
        {
          id: sessionEventId(tenantId, batch.id, 'after-redelivery'),
          type: 'session.event_appended',
          tenantId,
          agentId,
          sessionId: batch.id,
          occurredAt: new Date().toISOString(),
          schemaVersion: SCHEMA_VERSION,
          payload: {
            event: { clientEventId: 'after-redelivery', type: 'observation', data: {} },
            receivedAt: new Date().toISOString(),
          },
        },
      ]);
    } finally {
      await kafka.close();
    }
    const after = await expectEventually(async () => {
      const events: StoredEvent[] = await readAllEvents(api, batch.id, 1_000);
      expect(events.at(-1)?.clientEventId).toBe('after-redelivery');
      return events;
    });
    expect(after).toHaveLength(batch.events.length + 1);
    expect(after.at(-1).seq).toBe(batch.events.length + 1);
  }, 240_000);
});
