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
