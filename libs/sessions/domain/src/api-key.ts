import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^rvk_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  /** Public part, stored and shown in listings. */
  keyId: string;
  /** The whole key, shown once at creation; only its hash is stored. */
  token: string;
  secretHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new API key of the form `rvk_<key id>_<secret>`. */
export function generateApiKey(): GeneratedApiKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, token: `rvk_${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key into its id and secret, or null when it is not a Reverie key. */
export function parseApiKey(token: string): { keyId: string; secret: string } | null {
  const match = KEY_PATTERN.exec(token.trim());
  return match ? { keyId: match[1], secret: match[2] } : null;
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * What a key may do beyond the tenant's ordinary API: `admin` also manages the tenant's keys
 * (create, list, revoke). The bootstrap key (`npm run api-key`) has it.
 */
export const API_KEY_SCOPES = ['admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const RESOURCE_ID = /^key_([a-f0-9]{16})$/;

/** A key's id as the API shows it (`key_<key id>`): the `rvk_<key id>_…` token starts the same way. */
export function apiKeyResourceId(keyId: string): string {
  return `key_${keyId}`;
}

/** The stored key id behind `key_<key id>`, or null when the id is not one of a key. */
export function keyIdOfResource(id: string): string | null {
  return RESOURCE_ID.exec(id)?.[1] ?? null;
}

/** How often a key's last-used time is written at most: per key, not per request. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** Whether a use at `now` should be written, given when the last write was (if any). */
export function shouldRecordUse(
  lastUsedAt: number | undefined,
  now: number,
  intervalMs = LAST_USED_WRITE_INTERVAL_MS,
): boolean {
  return lastUsedAt === undefined || now - lastUsedAt >= intervalMs;
}
