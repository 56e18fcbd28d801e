import {
  decodeMessage,
  eventsAppendedMessages,
  MAX_EVENTS_PER_MESSAGE,
  sessionEventId,
  TOPICS,
  type SessionTopicMessage,
} from '@reverie/contracts';
import { MAX_PRODUCE_BYTES, type EventPublisher } from '@reverie/kafka';
import type { SessionRepository } from '@reverie/sessions-data-access';
import { SessionsService } from './sessions.service';
import type { SessionsHttpOptions } from './sessions-http.options';

// How append cuts a request into Kafka records is not visible through the API (the stored events
// are the same either way; the integration tests cover that), so the records are looked at here,
// produced to a stand-in publisher.
describe('SessionsService.append: the records a request becomes', () => {
  const tenantId = 'acme';
  const sessionId = 'ses_1';
  const appendWith = async (
    eventMessages: SessionsHttpOptions['eventMessages'],
    events: object[],
  ) => {
    const records: { value: string; bytes: number }[] = [];
    const publisher = {
      publishEncoded: jest.fn(async (_topic: string, encoded: { value: string }[]) => {
        // One produce request each: within what the broker takes at once.
        const bytes = encoded.reduce((n, e) => n + Buffer.byteLength(e.value), 0);
        expect(bytes).toBeLessThanOrEqual(MAX_PRODUCE_BYTES);
        records.push(
          ...encoded.map((e) => ({ value: e.value, bytes: Buffer.byteLength(e.value) })),
        );
      }),
    };
    const sessions = {
      findById: async () => ({ _id: sessionId, tenantId, agentId: 'agt_1', status: 'running' }),
    };
    const none = {} as never;
    const service = new SessionsService(
      none,
      none,
      none,
      sessions as unknown as SessionRepository,
      none,
      none,
      publisher as unknown as EventPublisher,
      none,
      { maxEventsPerRequest: 5_000, maxEventBytes: 262_144, eventMessages },
      none,
    );
    const answer = await service.append(tenantId, sessionId, { events });
    const messages = records.map((r) => {
      const decoded = decodeMessage(TOPICS.sessionEvents, r.value);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.value as SessionTopicMessage;
    });
    // What the ingest stores for them: each record's events, in order.
    const stored = messages.flatMap((m) => {
      if (m.type === 'session.events_appended') return eventsAppendedMessages(m);
      return m.type === 'session.event_appended' ? [m] : [];
    });
    return { answer, records, messages, stored };
  };
  const small = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      clientEventId: `e-${i}`,
      type: 'observation',
      data: { i },
    }));

  it('sends one events_appended per request, split past MAX_EVENTS_PER_MESSAGE events', async () => {
    const events = small(2 * MAX_EVENTS_PER_MESSAGE + 7);
    const { answer, messages, stored } = await appendWith('batch', events);
    expect(
      messages.map((m) => [
        m.type,
        m.type === 'session.events_appended' && m.payload.events.length,
      ]),
    ).toEqual([
      ['session.events_appended', MAX_EVENTS_PER_MESSAGE],
      ['session.events_appended', MAX_EVENTS_PER_MESSAGE],
      ['session.events_appended', 7],
    ]);
    const ids = events.map((e) => sessionEventId(tenantId, sessionId, e.clientEventId));
    expect(stored.map((m) => [m.id, m.payload.event.clientEventId])).toEqual(
      events.map((e, i) => [ids[i], e.clientEventId]),
    );
    expect(answer.events).toEqual(
      events.map((e, i) => ({ clientEventId: e.clientEventId, id: ids[i] })),
    );
  });

  it('splits a request larger than a record may be by size, in order', async () => {
    // Five events of 240 KB: 1.2 MB together, a broker takes about 1 MB per record.
    const events = Array.from({ length: 5 }, (_, i) => ({
      clientEventId: `big-${i}`,
      type: 'observation',
      data: { blob: String(i).repeat(240_000) },
    }));
    const { records, stored } = await appendWith('batch', events);
    expect(records.length).toBe(2);
    for (const r of records) expect(r.bytes).toBeLessThanOrEqual(MAX_PRODUCE_BYTES);
    expect(stored.map((m) => m.payload.event.clientEventId)).toEqual(
      events.map((e) => e.clientEventId),
    );
  });

  it('sends one event_appended per event with EVENT_MESSAGES=single, with the same ids', async () => {
    const events = small(30);
    const batched = await appendWith('batch', events);
    const single = await appendWith('single', events);
    expect(single.messages.map((m) => m.type)).toEqual(events.map(() => 'session.event_appended'));
    expect(single.answer.events).toEqual(batched.answer.events);
    const comparable = (ms: SessionTopicMessage[]) =>
      ms.map((m) => ({
        ...m,
        payload: { ...(m.payload as object), receivedAt: 'x' },
        occurredAt: 'x',
      }));
    expect(comparable(single.stored)).toEqual(comparable(batched.stored));
  });

  it('counts and sends a clientEventId repeated within one batch once: the first, as a re-send', async () => {
    const events = small(3);
    const repeat = { ...events[1], data: { changed: true } };
    const { answer, stored } = await appendWith('batch', [...events, repeat]);
    expect(answer.accepted).toBe(3);
    expect(answer.events.map((e) => e.clientEventId)).toEqual(['e-0', 'e-1', 'e-2']);
    expect(stored.map((m) => m.payload.event)).toEqual(events);
  });

  it('refuses an event key the contract does not know, and a number JSON cannot carry', async () => {
    await expect(appendWith('batch', [{ ...small(1)[0], colour: 'red' }])).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^invalid event batch: events\[0\].*colour/),
    });
    await expect(
      appendWith('batch', [{ clientEventId: 'x', type: 'observation', data: { v: Infinity } }]),
    ).rejects.toMatchObject({
      status: 400,
      details: [{ path: 'events[0].data.v', message: expect.stringMatching(/too large for JSON/) }],
    });
  });
});
