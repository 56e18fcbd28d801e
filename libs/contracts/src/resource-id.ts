import { randomBytes } from 'node:crypto';

/**
 * A new id such as `ses_0194f2c3a1b24e0c9d8a7b6c5d4e3f21`: a prefix naming the resource, then a
 * millisecond timestamp and randomness, so ids sort in creation order (cursor paging relies on
 * it). Every service that creates a resource makes its id this way.
 */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}
