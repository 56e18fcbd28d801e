import { createHash } from 'node:crypto';

/**
 * The stable id of a session event: the same (tenant, session, client event id) always maps to the
 * same id (a name-based UUID, RFC 9562 v5 layout), which is what makes re-sends idempotent. Part
 * of the contract because every producer of session events (the gateway for client events, the
 * orchestrator for managed sessions) must derive the same id for the same event.
 */
export function sessionEventId(tenantId: string, sessionId: string, clientEventId: string): string {
  const hash = createHash('sha1')
    .update(`reverie:session-event:${tenantId}\u0000${sessionId}\u0000${clientEventId}`)
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
