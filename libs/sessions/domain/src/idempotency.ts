import { createHash } from 'node:crypto';

/**
 * `Idempotency-Key`: an optional request header on `POST /v1/sessions`,
 * `POST /v1/sessions/:id/feedback` and `POST /v1/batches`. A retry of the same request (same tenant, route and key)
 * answers the same resource and re-publishes the same Kafka message(s), so a request that timed
 * out with a 503 while Kafka still delivered it late is applied once.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The longest key accepted, in characters (each printable ASCII). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** How long a key is remembered: a retry after that is a new request. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** The routes that take the header, as their records name them. */
export const IDEMPOTENT_ROUTES = {
  createSession: 'POST /v1/sessions',
  feedback: 'POST /v1/sessions/:id/feedback',
  createBatch: 'POST /v1/batches',
} as const;
export type IdempotentRoute = (typeof IDEMPOTENT_ROUTES)[keyof typeof IDEMPOTENT_ROUTES];

/** Printable ASCII: space (0x20) to tilde (0x7e). */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export type IdempotencyKeyCheck =
  { ok: true; key: string | undefined } | { ok: false; reason: string };

/**
 * The header's value as sent (Node gives a string, or an array for a header it does not merge):
 * absent is no key; otherwise 1 to 255 printable ASCII characters, or the reason it is not.
 */
export function checkIdempotencyKey(raw: unknown): IdempotencyKeyCheck {
  if (raw === undefined) return { ok: true, key: undefined };
  if (typeof raw !== 'string') {
    return { ok: false, reason: 'send the header once, with one value' };
  }
  if (raw.length === 0) return { ok: false, reason: 'it is empty' };
  if (raw.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { ok: false, reason: `it has ${raw.length} characters` };
  }
  if (!PRINTABLE_ASCII.test(raw)) {
    const at = [...raw].findIndex((c) => !PRINTABLE_ASCII.test(c));
    return { ok: false, reason: `character ${at + 1} is not printable ASCII` };
  }
  return { ok: true, key: raw };
}

/**
 * The `_id` of a key's record: tenant, route and key. Tenant ids cannot contain `|` and routes do
 * not, so the key (last, whatever it holds) cannot make two triples meet; another tenant's record
 * is another document.
 */
export function idempotencyRecordId(tenantId: string, route: IdempotentRoute, key: string): string {
  return `${tenantId}|${route}|${key}`;
}

/**
 * JSON with every object's keys in sorted order (arrays keep theirs): the same request body
 * written with its keys in another order is the same request.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two requests under one key "the same request": a SHA-256 of the canonical JSON of
 * what the route reads (its path parameters and body). Stored instead of the body itself.
 */
export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
