import { newId } from '@reverie/contracts';

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

// Made in the contracts (every producer must agree); re-exported for existing imports.
export { newId, sessionEventId } from '@reverie/contracts';
