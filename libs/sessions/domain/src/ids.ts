import { randomBytes } from 'node:crypto';

/**
 * A new id such as `ses_0194f2c3a1b24e0c9d8a7b6c5d4e3f21`: a prefix naming the resource, then a
 * millisecond timestamp and randomness, so ids sort in creation order (used for paging).
 */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}

/**
 * `count` new ids made at the same moment, sorted: handing them out in order keeps their sort
 * order the order they were handed out in (a batch's sessions list in task order).
 */
export function newIds(prefix: string, count: number, now = Date.now()): string[] {
  return Array.from({ length: count }, () => newId(prefix, now)).sort();
}

/**
 * The envelope id of the command that runs a managed session: one per session, so a command sent
 * twice is recognisable as the same command.
 */
export function runCommandId(sessionId: string): string {
  return `run_${sessionId}`;
}

// Derived in the contracts (every producer must agree); re-exported for existing imports.
export { sessionEventId } from '@reverie/contracts';
