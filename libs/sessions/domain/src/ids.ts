import { createHash, randomBytes } from 'node:crypto';

/**
 * A new id such as `ses_0194f2c3a1b24e0c9d8a7b6c5d4e3f21`: a prefix naming the resource, then a
 * millisecond timestamp and randomness, so ids sort in creation order (used for paging).
 */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}

/**
 * The stable id of a session event: the same (tenant, session, client event id) always maps to the
 * same id (a name-based UUID, RFC 9562 v5 layout), which is what makes re-sends idempotent.
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
