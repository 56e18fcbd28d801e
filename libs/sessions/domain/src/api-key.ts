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
