import {
  decodeMessage,
  eventAppended,
  eventsAppendedMessages,
  MAX_EVENTS_PER_MESSAGE,
  SCHEMA_VERSION,
  sessionEventId,
  TOPICS,
  type SessionEventBody,
  type SessionTopicMessage,
} from '@reverie/contracts';
import type { Producer } from 'kafkajs';
import { ContractViolationError, EventPublisher } from './event-publisher';
import { MAX_PRODUCE_BYTES } from './produce-size';
import {
  encodeSessionEvents,
  publishSessionMessages,
  type EventMessages,
  type EventsMessageId,
} from './session-events.publisher';

const to = { tenantId: 'acme', agentId: 'agt_1', sessionId: 'ses_1' };
const messageId: EventsMessageId = (_to, entries) => `msg_${entries[0].id.slice(0, 8)}`;

/** A real EventPublisher over a producer that records each produce request's values. */
function recording() {
  const requests: string[][] = [];
  const producer = {
    send: async ({ messages }: { messages: { value: string }[] }) => {
      requests.push(messages.map((m) => m.value));
      return [];
    },
  } as unknown as Producer;
  const decoded = () =>
    requests.flat().map((value) => {
      const result = decodeMessage(TOPICS.sessionEvents, value);
      if (!result.ok) throw new Error(result.reason);
      return result.value as SessionTopicMessage;
    });
  /** What the ingest stores for them, in order: each event as its own message. */
  const stored = () =>
    decoded().flatMap((m) =>
      m.type === 'session.events_appended' ? eventsAppendedMessages(m) : [m],
    );
  return { publisher: new EventPublisher(producer, 1_000), requests, decoded, stored };
}

const started: SessionTopicMessage = {
  id: sessionEventId(to.tenantId, to.sessionId, 'lifecycle:started'),
  type: 'session.started',
  ...to,
  occurredAt: '2026-01-01T00:00:00.000Z',
  schemaVersion: SCHEMA_VERSION,
  payload: { source: 'managed', title: 'a landing', playbook: null },
};
const ended: SessionTopicMessage = {
  id: sessionEventId(to.tenantId, to.sessionId, 'lifecycle:ended'),
  type: 'session.ended',
  ...to,
  occurredAt: '2026-01-01T00:00:09.000Z',
  schemaVersion: SCHEMA_VERSION,
  payload: { status: 'completed' },
};
const step = (n: number, count: number, extra: Partial<SessionEventBody> = {}) =>
  Array.from(
    { length: count },
    (_, i) =>
      ({
        clientEventId: `step-${n}.${i}`,
        type: 'observation',
        step: n,
        data: { i },
        ...extra,
      }) as SessionEventBody,
  );
/** Events a producer appended at once: the same receivedAt. */
const appended = (events: SessionEventBody[], at: string) =>
  events.map((e) => eventAppended(to, e, at));

/** A managed session's flush: its start, two steps' events, one with its own times, its end. */
const aFlush = () => [
  started,
  ...appended(step(1, 3), '2026-01-01T00:00:01.000Z'),
  ...appended(step(2, 2, { occurredAt: '2026-01-01T00:00:01.500Z' }), '2026-01-01T00:00:02.000Z'),
  ended,
];

describe('publishSessionMessages', () => {
  it('batch: each step is one events_appended between the start and the end, stored as single stores it', async () => {
    const single = recording();
    await publishSessionMessages(single.publisher, aFlush(), 'single', messageId);
    const batch = recording();
    await publishSessionMessages(batch.publisher, aFlush(), 'batch', messageId);

    expect(single.decoded().map((m) => m.type)).toEqual([
      'session.started',
      ...Array(5).fill('session.event_appended'),
      'session.ended',
    ]);
    expect(
      batch
        .decoded()
        .map((m) => [
          m.type,
          m.type === 'session.events_appended'
            ? m.payload.events.map((e) => e.event.clientEventId)
            : m.id,
        ]),
    ).toEqual([
      ['session.started', started.id],
      ['session.events_appended', ['step-1.0', 'step-1.1', 'step-1.2']],
      ['session.events_appended', ['step-2.0', 'step-2.1']],
      ['session.ended', ended.id],
    ]);
    // The same messages, ids, order, times and bodies: the ingest stores the same either way.
    expect(batch.stored()).toEqual(single.stored());
    expect(single.stored()).toEqual(aFlush());
    // One produce request each: the whole flush fits in one.
    expect(batch.requests).toHaveLength(1);
  });

  it('single sends exactly what EventPublisher.publish sends (the form before batches)', async () => {
    const single = recording();
    await publishSessionMessages(single.publisher, aFlush(), 'single', messageId);
    const before = recording();
    await before.publisher.publish(TOPICS.sessionEvents, aFlush());
    expect(single.requests).toEqual(before.requests);
  });

  it('names each events_appended the same way on a re-run', async () => {
    const first = recording();
    await publishSessionMessages(first.publisher, aFlush(), 'batch', messageId);
    const again = recording();
    await publishSessionMessages(again.publisher, aFlush(), 'batch', messageId);
    expect(again.decoded().map((m) => m.id)).toEqual(first.decoded().map((m) => m.id));
  });

  it('keeps an event whose envelope time a batch would not give it as its own message', async () => {
    const [odd, ...rest] = appended(step(1, 3), '2026-01-01T00:00:01.000Z');
    const messages = [{ ...odd, occurredAt: '2025-12-31T23:59:59.000Z' }, ...rest];
    const batch = recording();
    await publishSessionMessages(batch.publisher, messages, 'batch', messageId);
    expect(batch.decoded().map((m) => m.type)).toEqual([
      'session.event_appended',
      'session.events_appended',
    ]);
    expect(batch.stored()).toEqual(messages);
  });

  it('refuses the whole flush when one message breaks the contract, sending nothing', async () => {
    for (const form of ['batch', 'single'] as EventMessages[]) {
      const bad = appended(
        [{ clientEventId: 'x', type: 'no-such-type' } as never],
        started.occurredAt,
      );
      const r = recording();
      await expect(
        publishSessionMessages(r.publisher, [started, ...bad, ended], form, messageId),
      ).rejects.toBeInstanceOf(ContractViolationError);
      expect(r.requests).toEqual([]);
    }
  });

  it('splits a step past MAX_EVENTS_PER_MESSAGE events or a record size, in order, within the produce bound', async () => {
    const big = 'x'.repeat(240_000);
    const events = [
      ...step(1, MAX_EVENTS_PER_MESSAGE + 5),
      ...step(2, 5, { data: { big } } as Partial<SessionEventBody>),
    ];
    const messages = appended(events, '2026-01-01T00:00:01.000Z');
    const batch = recording();
    await publishSessionMessages(batch.publisher, messages, 'batch', messageId);
    for (const request of batch.requests)
      expect(request.reduce((n, v) => n + Buffer.byteLength(v), 0)).toBeLessThanOrEqual(
        MAX_PRODUCE_BYTES,
      );
    const sizes = batch
      .decoded()
      .map((m) => (m.type === 'session.events_appended' ? m.payload.events.length : 0));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(Math.max(...sizes)).toBe(MAX_EVENTS_PER_MESSAGE);
    expect(batch.stored()).toEqual(messages);
  });
});

describe('encodeSessionEvents', () => {
  const prepared = step(1, 4).map((event) => {
    const json = JSON.stringify(event);
    return { event, json, bytes: Buffer.byteLength(json) };
  });

  it('gives each event the same id in both forms, and the forms store the same', () => {
    const at = '2026-01-01T00:00:01.000Z';
    const single = encodeSessionEvents(to, at, prepared, 'single', messageId);
    const batch = encodeSessionEvents(to, at, prepared, 'batch', messageId);
    expect(batch.ids).toEqual(single.ids);
    expect(single.ids[0]).toBe(sessionEventId(to.tenantId, to.sessionId, 'step-1.0'));
    expect(batch.records).toHaveLength(1);
    const [record] = batch.records;
    expect(JSON.parse(record.value)).toEqual(record.message);
    expect(record.bytes).toBeGreaterThanOrEqual(Buffer.byteLength(record.value));
    expect(eventsAppendedMessages(record.message as never)).toEqual(
      single.records.map((r) => JSON.parse(r.value)),
    );
  });
});
