import { hash } from 'node:crypto';

/** RFC 9562 variant nibbles (binary 10xx) by the digest nibble's low two bits. */
const VARIANT = ['8', '9', 'a', 'b'];

/**
 * The stable id of a session event: the same (tenant, session, client event id) always maps to the
 * same id (a name-based UUID, RFC 9562 v5 layout), which is what makes re-sends idempotent. Part
 * of the contract because every producer of session events (the gateway for client events, the
 * orchestrator for managed sessions) must derive the same id for the same event.
 */
export function sessionEventId(tenantId: string, sessionId: string, clientEventId: string): string {
  // The gateway derives one for every event it accepts, so this is on its hot path: a one-shot
  // hex digest (no Hash object, no Buffer), with the version and variant bits set on the text.
  // Same id as setting them on the digest bytes: nibble 12 becomes 5, nibble 16 keeps its low
  // two bits under the variant's 10.
  const hex = hash(
    'sha1',
    `reverie:session-event:${tenantId}\u0000${sessionId}\u0000${clientEventId}`,
  );
  const variant = VARIANT[parseInt(hex[16], 16) & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
