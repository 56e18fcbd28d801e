import { generateApiKey, parseApiKey, secretMatches } from './api-key';
import { newId, sessionEventId } from './ids';

describe('ids', () => {
  it('makes prefixed ids that sort in creation order', () => {
    const a = newId('ses', 1_000);
    const b = newId('ses', 2_000);
    expect(a).toMatch(/^ses_[0-9a-f]{32}$/);
    expect(a < b).toBe(true);
    expect(newId('ses', 1_000)).not.toBe(a);
  });

  it('derives the same event id from the same tenant, session and client id only', () => {
    const id = sessionEventId('acme', 'ses_1', 'e-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sessionEventId('acme', 'ses_1', 'e-1')).toBe(id);
    expect(sessionEventId('acme', 'ses_1', 'e-2')).not.toBe(id);
    expect(sessionEventId('acme', 'ses_2', 'e-1')).not.toBe(id);
    expect(sessionEventId('other', 'ses_1', 'e-1')).not.toBe(id);
  });
});

describe('api keys', () => {
  it('round-trips a generated key and checks its secret', () => {
    const key = generateApiKey();
    const parsed = parseApiKey(key.token);
    if (!parsed) throw new Error(`generated key did not parse: ${key.token}`);
    expect(parsed.keyId).toBe(key.keyId);
    expect(secretMatches(parsed.secret, key.secretHash)).toBe(true);
    expect(secretMatches(`${parsed.secret.slice(1)}x`, key.secretHash)).toBe(false);
  });

  it('refuses things that are not keys', () => {
    expect(parseApiKey('Bearer abc')).toBeNull();
    expect(parseApiKey('rvk_short_secret')).toBeNull();
  });
});
