import { SCHEMA_VERSION, type SessionEndStatus, type SessionEnded } from '@reverie/contracts';
import { newId } from '@reverie/sessions-domain';

/**
 * The `session.ended` message of a client's end of a session's current attempt (its own, or a
 * batch's cancel): the gateway publishes it, then writes the status so the client reads it at
 * once; the ingest applies it too, and marks the end stored once the events before it are.
 */
export function endedMessage(
  tenantId: string,
  session: { _id: string; agentId: string; iteration?: number | null },
  status: SessionEndStatus,
  reason: string | undefined,
  at: Date,
): SessionEnded {
  return {
    id: newId('msg'),
    type: 'session.ended',
    tenantId,
    agentId: session.agentId,
    sessionId: session._id,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: { status, reason, iteration: session.iteration ?? 1 },
  };
}
