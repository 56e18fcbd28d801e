import {
  canonicalJson,
  checkIdempotencyKey,
  IDEMPOTENT_ROUTES,
  idempotencyRecordId,
  requestFingerprint,
} from './idempotency';

describe('Idempotency-Key', () => {
  it('takes no header as no key, and 1 to 255 printable ASCII characters as a key', () => {
    expect(checkIdempotencyKey(undefined)).toEqual({ ok: true, key: undefined });
    expect(checkIdempotencyKey('a')).toEqual({ ok: true, key: 'a' });
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    expect(checkIdempotencyKey(printable.join(''))).toEqual({ ok: true, key: printable.join('') });
    expect(checkIdempotencyKey('k'.repeat(255))).toEqual({ ok: true, key: 'k'.repeat(255) });
  });

  it.each([
    ['an empty value', '', /empty/],
    ['256 characters', 'k'.repeat(256), /256 characters/],
    ['a Latin-1 letter', 'ab\u00e9', /character 3 is not printable ASCII/],
    ['a tab', 'a\tb', /character 2 is not printable ASCII/],
    ['DEL', 'a\u007fb', /character 2 /],
    ['an emoji', '\u{1F600}', /character 1 /],
    ['two values', ['a', 'b'], /once/],
  ])('refuses %s, saying why', (_, raw, reason) => {
    const check = checkIdempotencyKey(raw);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(reason);
  });

  it('keys a record by tenant, route and key, so tenants and routes never share one', () => {
    const id = idempotencyRecordId('acme', IDEMPOTENT_ROUTES.createSession, 'k|1');
    expect(id).toBe('acme|POST /v1/sessions|k|1');
    expect(idempotencyRecordId('other', IDEMPOTENT_ROUTES.createSession, 'k|1')).not.toBe(id);
    expect(idempotencyRecordId('acme', IDEMPOTENT_ROUTES.feedback, 'k|1')).not.toBe(id);
  });

  it('fingerprints a request the same whatever the order of its keys, and differently otherwise', () => {
    const a = { sessionId: 's', body: { rating: 'positive', comment: 'ok', tags: [1, 2] } };
    const b = { body: { tags: [1, 2], comment: 'ok', rating: 'positive' }, sessionId: 's' };
    expect(canonicalJson(b)).toBe(
      '{"body":{"comment":"ok","rating":"positive","tags":[1,2]},"sessionId":"s"}',
    );
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    expect(requestFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint({ ...a, sessionId: 't' })).not.toBe(requestFingerprint(a));
    expect(requestFingerprint({ ...a, body: { ...a.body, tags: [2, 1] } })).not.toBe(
      requestFingerprint(a),
    );
    expect(requestFingerprint({ x: '1' })).not.toBe(requestFingerprint({ x: 1 }));
    expect(canonicalJson({ a: undefined, b: null, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });
});
