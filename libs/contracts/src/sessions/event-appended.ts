import { SCHEMA_VERSION } from '../envelope.schema';
import type { SessionEventBody } from './session-event-body.schema';
import type { SessionEventAppended, SessionEventsAppended } from './session.events';
import { sessionEventId } from './session-event-id';

/**
 * The message that appends one event to a session. Its id is derived from (tenant, session,
 * client event id), so building it twice for the same event gives the same message.
 */
export function eventAppended(
  to: { tenantId: string; agentId: string; sessionId: string },
  event: SessionEventBody,
  receivedAt: string,
): SessionEventAppended {
  return {
    id: sessionEventId(to.tenantId, to.sessionId, event.clientEventId),
    type: 'session.event_appended',
    tenantId: to.tenantId,
    agentId: to.agentId,
    sessionId: to.sessionId,
    occurredAt: event.occurredAt ?? receivedAt,
    schemaVersion: SCHEMA_VERSION,
    payload: { event, receivedAt },
  };
}

/** A message together with its JSON, ready to produce. */
export interface EncodedEventAppended {
  message: SessionEventAppended;
  /** `JSON.stringify(message)` as far as any JSON reader can tell (same value, key order aside). */
  value: string;
  /** UTF-8 bytes of `value`. */
  bytes: number;
}

/**
 * Encodes a request's events for one session: `eventAppended` plus its JSON, reusing each body's
 * JSON (which the caller made anyway to measure it) instead of serialising the body a second
 * time, and the envelope's fields common to the request once. The gateway's hot path makes one
 * JSON string per event, not three.
 */
export function eventAppendedEncoder(
  to: { tenantId: string; agentId: string; sessionId: string },
  receivedAt: string,
): (event: SessionEventBody, eventJson: string, eventBytes: number) => EncodedEventAppended {
  const common = JSON.stringify({
    type: 'session.event_appended',
    tenantId: to.tenantId,
    agentId: to.agentId,
    sessionId: to.sessionId,
    schemaVersion: SCHEMA_VERSION,
  }).slice(1, -1);
  const tail = `,"receivedAt":${JSON.stringify(receivedAt)}}}`;
  const tailBytes = Buffer.byteLength(tail);
  return (event, eventJson, eventBytes) => {
    const message = eventAppended(to, event, receivedAt);
    const head = `{"id":${JSON.stringify(message.id)},"occurredAt":${JSON.stringify(message.occurredAt)},${common},"payload":{"event":`;
    // The body was measured already; only the short envelope around it is.
    const bytes = Buffer.byteLength(head) + eventBytes + tailBytes;
    return { message, value: head + eventJson + tail, bytes };
  };
}

/** One event's `eventAppendedEncoder` (see there). */
export function encodeEventAppended(
  to: { tenantId: string; agentId: string; sessionId: string },
  event: SessionEventBody,
  eventJson: string,
  receivedAt: string,
): EncodedEventAppended {
  return eventAppendedEncoder(to, receivedAt)(event, eventJson, Buffer.byteLength(eventJson));
}

/** An event ready to go into a `session.events_appended`: its stored id and its body's JSON. */
export interface EventsAppendedEntry {
  id: string;
  event: SessionEventBody;
  /** `JSON.stringify(event)`, which the caller made anyway to measure it. */
  json: string;
  /** UTF-8 bytes of the entry in the message's JSON (`eventsAppendedEntryBytes`). */
  bytes: number;
}

/** UTF-8 bytes an entry adds to a `session.events_appended` value: `{"id":…,"event":…},`. */
export function eventsAppendedEntryBytes(id: string, eventBytes: number): number {
  return Buffer.byteLength(id) + eventBytes + ENTRY_FRAME_BYTES;
}
const ENTRY_FRAME_BYTES = '{"id":"","event":},'.length;

/** A `session.events_appended` together with its JSON, ready to produce. */
export interface EncodedEventsAppended {
  message: SessionEventsAppended;
  /** `JSON.stringify(message)` as far as any JSON reader can tell (same value, key order aside). */
  value: string;
}

/**
 * Encodes several events of one session as one `session.events_appended` message (`id` names the
 * message), reusing each body's JSON instead of serialising the bodies again. Entries' ids are
 * the stored events' ids (`sessionEventId` for the gateway's), so a re-sent event is recognised.
 */
export function encodeEventsAppended(
  to: { tenantId: string; agentId: string; sessionId: string },
  id: string,
  receivedAt: string,
  entries: readonly EventsAppendedEntry[],
): EncodedEventsAppended {
  const message: SessionEventsAppended = {
    id,
    type: 'session.events_appended',
    tenantId: to.tenantId,
    agentId: to.agentId,
    sessionId: to.sessionId,
    occurredAt: receivedAt,
    schemaVersion: SCHEMA_VERSION,
    payload: { receivedAt, events: entries.map((e) => ({ id: e.id, event: e.event })) },
  };
  const { payload: _payload, ...envelope } = message;
  const head = JSON.stringify(envelope).slice(0, -1);
  const events = entries.map((e) => `{"id":${JSON.stringify(e.id)},"event":${e.json}}`).join(',');
  const value = `${head},"payload":{"receivedAt":${JSON.stringify(receivedAt)},"events":[${events}]}}`;
  return { message, value };
}

/**
 * The `session.event_appended` messages a `session.events_appended` stands for, in order: what a
 * consumer stores for it, exactly as if they had been sent one by one.
 */
export function eventsAppendedMessages(message: SessionEventsAppended): SessionEventAppended[] {
  const { tenantId, agentId, sessionId, schemaVersion } = message;
  const { receivedAt } = message.payload;
  return message.payload.events.map(({ id, event }) => ({
    id,
    type: 'session.event_appended',
    tenantId,
    agentId,
    sessionId,
    occurredAt: event.occurredAt ?? receivedAt,
    schemaVersion,
    payload: { event, receivedAt },
  }));
}
