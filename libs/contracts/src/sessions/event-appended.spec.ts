import { validateMessage } from '../registry';
import { TOPICS } from '../topics.constant';
import {
  encodeEventAppended,
  encodeEventsAppended,
  eventAppended,
  eventsAppendedEntryBytes,
  eventsAppendedMessages,
} from './event-appended';
import { sessionEventId } from './session-event-id';

/** A session, a receipt time, and events for it: one with no time of its own, one with its own time and escapes. */
const to = { tenantId: 'acme', agentId: 'agt_1', sessionId: 'ses_1' };
const at = '2026-11-22T10:00:00.000Z';
const bodies = [
  { clientEventId: 'e-1', type: 'action' as const, name: 'go' },
  {
    clientEventId: 'e-2',
    type: 'observation' as const,
    occurredAt: '2026-11-22T09:59:59.500Z',
    data: { text: 'quote " backslash \\ newline \n unicode é 😀', nested: [1, { $ref: 'x' }] },
  },
];

describe('session event ids', () => {
  it('derives the same id from the same tenant, session and client id only', () => {
    const id = sessionEventId('acme', 'ses_1', 'e-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessionEventId('acme', 'ses_1', 'e-1')).toBe(id);
    expect(sessionEventId('acme', 'ses_1', 'e-2')).not.toBe(id);
    expect(sessionEventId('acme', 'ses_2', 'e-1')).not.toBe(id);
    expect(sessionEventId('other', 'ses_1', 'e-1')).not.toBe(id);
  });

  it('keeps the ids already stored: the same UUIDs as the SHA-1 name-based derivation gave', () => {
    // Computed with the earlier createHash implementation (bits set on the digest bytes); stored
    // events and the orchestrator's managed-session events carry these ids.
    expect(sessionEventId('acme', 'ses_1', 'e-1')).toBe('4ece2496-5e3d-574e-8ad2-3e76bea6e2cc');
    expect(sessionEventId('ténant', 'ses_ü', 'é-✓')).toBe('9fc4217f-8c28-5156-843c-9415a117187b');
  });

  it('sets the v5 version and RFC variant whatever the digest nibbles are', () => {
    const ids = Array.from({ length: 200 }, (_, i) => sessionEventId('t', 's', `e-${i}`));
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Every variant nibble occurs: the low two bits of the digest are kept, not overwritten.
    expect(new Set(ids.map((id) => id[19])).size).toBe(4);
  });

  it('builds a valid event_appended message whose id is the stable event id', () => {
    const message = eventAppended(
      to,
      { clientEventId: 'step-1-action', type: 'action', name: 'go' },
      at,
    );
    expect(message).toMatchObject({
      id: sessionEventId('acme', 'ses_1', 'step-1-action'),
      occurredAt: at,
    });
    expect(validateMessage(TOPICS.sessionEvents, message).ok).toBe(true);
  });
});

describe('encodeEventAppended', () => {
  it.each(bodies)('gives the same JSON value as serialising the whole message (%#)', (body) => {
    const { message, value, bytes } = encodeEventAppended(to, body, JSON.stringify(body), at);
    expect(message).toEqual(eventAppended(to, body, at));
    expect(JSON.parse(value)).toEqual(JSON.parse(JSON.stringify(message)));
    expect(bytes).toBe(Buffer.byteLength(value));
    expect(validateMessage(TOPICS.sessionEvents, JSON.parse(value)).ok).toBe(true);
  });
});

describe('encodeEventsAppended', () => {
  const entries = bodies.map((event) => {
    const id = sessionEventId(to.tenantId, to.sessionId, event.clientEventId);
    const json = JSON.stringify(event);
    return { id, event, json, bytes: eventsAppendedEntryBytes(id, Buffer.byteLength(json)) };
  });

  it('gives the JSON value of the message it returns, which its topic accepts', () => {
    const { message, value } = encodeEventsAppended(to, 'msg_1', at, entries);
    expect(JSON.parse(value)).toEqual(JSON.parse(JSON.stringify(message)));
    expect(message).toMatchObject({ id: 'msg_1', type: 'session.events_appended', ...to });
    const decoded = validateMessage(TOPICS.sessionEvents, JSON.parse(value));
    expect(decoded).toEqual({ ok: true, value: message });
  });

  it('stands for the event_appended messages of its events, in order, with the same ids', () => {
    const { message } = encodeEventsAppended(to, 'msg_1', at, entries);
    expect(eventsAppendedMessages(message)).toEqual(bodies.map((b) => eventAppended(to, b, at)));
  });

  it('counts every byte of its entries in eventsAppendedEntryBytes', () => {
    const { value } = encodeEventsAppended(to, 'msg_1', at, entries);
    const envelope = Buffer.byteLength(encodeEventsAppended(to, 'msg_1', at, []).value);
    const sum = entries.reduce((n, e) => n + e.bytes, 0);
    // One comma fewer than entries: the frame counts one per entry.
    expect(Buffer.byteLength(value)).toBe(envelope + sum - 1);
  });

  it('is refused by its topic without events or with an event that breaks its schema', () => {
    const { message } = encodeEventsAppended(to, 'msg_1', at, entries);
    const empty = { ...message, payload: { ...message.payload, events: [] } };
    const broken = {
      ...message,
      payload: { ...message.payload, events: [{ id: 'x', event: { type: 'action' } }] },
    };
    expect(validateMessage(TOPICS.sessionEvents, empty).ok).toBe(false);
    expect(validateMessage(TOPICS.sessionEvents, broken)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('payload.events.0.event'),
    });
  });
});
