import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyAuthenticator, unauthenticated, type ApiCaller } from '@reverie/http';
import { ApiKeyRepository } from '@reverie/sessions-data-access';
import {
  LAST_USED_WRITE_INTERVAL_MS,
  parseApiKey,
  secretMatches,
  shouldRecordUse,
} from '@reverie/sessions-domain';
import { ApiKeyCache, type VerifiedKey } from './api-key.cache';

/**
 * Verifies keys against `api_keys` (the sessions domain owns them). Verified keys are cached
 * (ApiKeyCache); a key's last use is written at most once a minute, without holding up the
 * request.
 */
@Injectable()
export class StoredApiKeyAuthenticator extends ApiKeyAuthenticator {
  private readonly logger = new Logger('ApiKeyGuard');

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
  ) {
    super();
  }

  async authenticate(presented: string): Promise<ApiCaller> {
    const parsed = parseApiKey(presented);
    if (!parsed) throw unauthenticated('malformed API key: keys look like rvk_<id>_<secret>');
    const known = await this.lookup(parsed.keyId);
    if (!known || !secretMatches(parsed.secret, known.hash)) {
      throw unauthenticated('invalid or revoked API key');
    }
    this.recordUse(parsed.keyId, known);
    return { tenantId: known.tenantId, keyId: parsed.keyId, scopes: known.scopes };
  }

  private async lookup(keyId: string): Promise<VerifiedKey | null> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const lookup = this.cache.beginLookup(keyId);
    try {
      const record = await this.keys.findActive(keyId);
      if (!record) {
        // Revoked (or never issued): a read of it still in flight must not cache it.
        this.cache.evict(keyId);
        return null;
      }
      const key: VerifiedKey = {
        tenantId: record.tenantId,
        hash: record.secretHash,
        scopes: record.scopes ?? [],
        lastUsedAt: record.lastUsedAt?.getTime(),
      };
      return this.cache.set(keyId, key, lookup);
    } finally {
      this.cache.endLookup(keyId);
    }
  }

  /** Fire and forget: a failed write costs a last-used time, never a request. */
  private recordUse(keyId: string, key: VerifiedKey): void {
    const now = Date.now();
    if (!shouldRecordUse(key.lastUsedAt, now)) return;
    key.lastUsedAt = now;
    this.keys
      .recordUse(key.tenantId, keyId, new Date(now), LAST_USED_WRITE_INTERVAL_MS)
      .catch((err: Error) =>
        this.logger.warn(`could not record the use of key ${keyId}: ${err.message}`),
      );
  }
}
