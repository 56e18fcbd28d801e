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
}

/**
 * `eventAppended` plus its JSON, reusing `eventJson` (the body's JSON, which the caller made
 * anyway to measure it) instead of serialising the body a second time: the gateway's hot path
 * makes one JSON string per event, not three.
 */
export function encodeEventAppended(
  to: { tenantId: string; agentId: string; sessionId: string },
  event: SessionEventBody,
  eventJson: string,
  receivedAt: string,
): EncodedEventAppended {
  const message = eventAppended(to, event, receivedAt);
  const { payload: _payload, ...head } = message;
  const headJson = JSON.stringify(head);
  const value = `${headJson.slice(0, -1)},"payload":{"event":${eventJson},"receivedAt":${JSON.stringify(receivedAt)}}}`;
  return { message, value };
}
