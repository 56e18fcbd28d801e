import { SCHEMA_VERSION } from '../envelope.schema';
import type { SessionEventBody } from './session-event-body.schema';
import type { SessionEventAppended } from './session.events';
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
