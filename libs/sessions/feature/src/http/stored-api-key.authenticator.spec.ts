import type { ApiKeyRepository } from '@reverie/sessions-data-access';
import { generateApiKey } from '@reverie/sessions-domain';
import { ApiKeyCache } from './api-key.cache';
import { StoredApiKeyAuthenticator } from './stored-api-key.authenticator';

/** The store as the authenticator sees it: which keys are active, and a read the test can hold. */
class StubKeys {
  readonly active = new Map<string, { tenantId: string; secretHash: string; scopes: string[] }>();
  held?: { keyId: string; release: () => void };

  findActive(keyId: string) {
    const record = this.active.get(keyId) ?? null;
    if (this.held?.keyId !== keyId) return Promise.resolve(record);
    // The read happened now (the key was active); its answer arrives when the test says so.
    return new Promise<typeof record>((resolve) => {
      this.held = { keyId, release: () => resolve(record) };
    });
  }

  recordUse() {
    return Promise.resolve();
  }
}

describe('StoredApiKeyAuthenticator with its cache', () => {
  it('refuses a key revoked during a lookup even after a spray of unknown key ids', async () => {
    const keys = new StubKeys();
    const cache = new ApiKeyCache();
    const auth = new StoredApiKeyAuthenticator(keys as unknown as ApiKeyRepository, cache);
    const key = generateApiKey();
    keys.active.set(key.keyId, { tenantId: 't1', secretHash: key.secretHash, scopes: [] });

    // A request reads the key while it is still active; the answer is slow to come back.
    keys.held = { keyId: key.keyId, release: () => undefined };
    const slow = auth.authenticate(key.token);
    // The key is revoked meanwhile: the store drops it and the revocation evicts it.
    keys.active.delete(key.keyId);
    cache.evict(key.keyId);
    // Someone sprays random key ids, none of which exists.
    const secret = 'x'.repeat(43);
    let refused = 0;
    for (let i = 0; i < 10_050; i++) {
      const unknown = `rvk_${i.toString(16).padStart(16, '0')}_${secret}`;
      await auth.authenticate(unknown).catch(() => refused++);
    }
    expect(refused).toBe(10_050);
    keys.held?.release();
    await slow; // the request that began before the revocation may still pass

    // Every later request with the revoked key is refused: it was not cached by the slow read.
    keys.held = undefined;
    await expect(auth.authenticate(key.token)).rejects.toThrow('invalid or revoked API key');
  }, 20_000);
});
