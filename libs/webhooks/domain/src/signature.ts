import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The three request headers of a Standard Webhooks delivery. */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** Symmetric secrets are shown to users with this prefix (the rest is base64). */
export const SECRET_PREFIX = 'whsec_';

/** Bytes of a new secret: the spec asks for at least 24 and at most 64. */
const SECRET_BYTES = 32;

/** How far `webhook-timestamp` may be from the receiver's clock by default (replay window). */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** A new random signing secret, `whsec_<base64 of 32 bytes>`. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key of a secret: the base64 after `whsec_` (a bare base64 secret is accepted too). */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0)
    throw new WebhookVerificationError('the secret is empty: expected whsec_<base64>');
  return key;
}

/**
 * The signature of one delivery: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)).
 * `timestamp` is in unix seconds; `body` must be the exact bytes sent.
 */
export function sign(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  if (id.includes('.')) throw new Error(`a webhook id may not contain ".": ${id}`);
  return `v1,${hmac(secretKey(secret), id, Math.floor(timestamp), body).toString('base64')}`;
}

function hmac(key: Buffer, id: string, timestamp: number, body: string | Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** Why a delivery was rejected. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/** Request headers as node:http gives them (lower-case keys) or a fetch `Headers`. */
export type WebhookHeaders =
  Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface VerifyOptions {
  /** Largest distance in seconds between `webhook-timestamp` and `now` (default 300). */
  toleranceSeconds?: number;
  now?: Date;
}

export interface VerifiedWebhook<T> {
  id: string;
  /** The attempt's `webhook-timestamp` (unix seconds). */
  timestamp: number;
  /** The body, parsed as JSON. */
  payload: T;
}

/**
 * Checks a delivery the way a receiver should: all three headers present, a timestamp within the
 * tolerance, and one of the (space-separated) `v1` signatures matching, compared in constant
 * time. Pass the raw body exactly as received (before any JSON parsing). Throws
 * WebhookVerificationError saying what was wrong; returns the id, timestamp and parsed body.
 */
export function verify<T = unknown>(
  secret: string,
  headers: WebhookHeaders,
  body: string | Buffer,
  { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = new Date() }: VerifyOptions = {},
): VerifiedWebhook<T> {
  const id = header(headers, WEBHOOK_HEADERS.id);
  const timestampText = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);
  if (!/^\d+$/.test(timestampText))
    throw new WebhookVerificationError(
      `${WEBHOOK_HEADERS.timestamp} must be unix seconds, got "${timestampText}"`,
    );
  const timestamp = Number(timestampText);
  const skew = Math.floor(now.getTime() / 1000) - timestamp;
  if (skew > toleranceSeconds)
    throw new WebhookVerificationError(
      `${WEBHOOK_HEADERS.timestamp} is ${skew} s old, more than the ${toleranceSeconds} s allowed`,
    );
  if (-skew > toleranceSeconds)
    throw new WebhookVerificationError(
      `${WEBHOOK_HEADERS.timestamp} is ${-skew} s in the future, more than the ${toleranceSeconds} s allowed`,
    );
  const expected = hmac(secretKey(secret), id, timestamp, body);
  const matches = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => {
      const given = Buffer.from(s.slice('v1,'.length), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches)
    throw new WebhookVerificationError(
      'no v1 signature matches: check that the secret is this subscription’s and that the body is the raw one',
    );
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  try {
    return { id, timestamp, payload: JSON.parse(text) as T };
  } catch {
    throw new WebhookVerificationError('the signature matches but the body is not JSON');
  }
}

function header(headers: WebhookHeaders, name: string): string {
  const value =
    typeof headers.get === 'function'
      ? (headers as { get(name: string): string | null }).get(name)
      : (headers as Record<string, string | string[] | undefined>)[name];
  const text = Array.isArray(value) ? value.join(' ') : value;
  if (!text) throw new WebhookVerificationError(`the ${name} header is missing`);
  return text;
}
