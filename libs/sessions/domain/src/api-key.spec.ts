import {
  apiKeyResourceId,
  generateApiKey,
  keyIdOfResource,
  parseApiKey,
  secretMatches,
  shouldRecordUse,
} from './api-key';

describe('API keys', () => {
  it('makes keys whose secret only the hash matches, and whose id the API shows as key_…', () => {
    const key = generateApiKey();
    const parsed = parseApiKey(key.token);
    if (!parsed) throw new Error(`${key.token} did not parse`);
    expect(parsed.keyId).toBe(key.keyId);
    expect(secretMatches(parsed.secret, key.secretHash)).toBe(true);
    expect(secretMatches(`${parsed.secret}x`, key.secretHash)).toBe(false);
    expect(key.secretHash).not.toContain(parsed.secret);
    expect(keyIdOfResource(apiKeyResourceId(key.keyId))).toBe(key.keyId);
    expect(keyIdOfResource(key.keyId)).toBeNull();
    expect(keyIdOfResource('whk_0123456789abcdef')).toBeNull();
  });

  it('records a use at most once per interval', () => {
    expect(shouldRecordUse(undefined, 1_000)).toBe(true);
    expect(shouldRecordUse(1_000, 1_000 + 59_999)).toBe(false);
    expect(shouldRecordUse(1_000, 1_000 + 60_000)).toBe(true);
    expect(shouldRecordUse(1_000, 1_500, 500)).toBe(true);
  });
});
