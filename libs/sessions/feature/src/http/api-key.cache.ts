import { Injectable } from '@nestjs/common';

export interface VerifiedKey {
  tenantId: string;
  hash: string;
  scopes: readonly string[];
  /** When this process last wrote the key's last-used time (or read it from the store). */
  lastUsedAt?: number;
}

const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

/**
 * Keys this process has verified, kept briefly so a busy client does not cost a database read per
 * request. One per application (shared by every module's ApiKeyGuard). A revoked key is evicted
 * at once: by the replica that revokes it and, through the revocation topic, by every other;
 * the expiry only bounds how long a key revoked while Kafka was unreachable keeps working.
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries = new Map<string, VerifiedKey & { until: number }>();
  /** Eviction counter per key: a lookup that began before an eviction must not re-cache. */
  private readonly evictions = new Map<string, number>();
  private evictionCount = 0;

  get(keyId: string, now = Date.now()): VerifiedKey | undefined {
    const entry = this.entries.get(keyId);
    if (entry && entry.until > now) return entry;
    if (entry) this.entries.delete(keyId);
    return undefined;
  }

  /** A token for `set`: taken before reading the store, so a revocation in between wins. */
  beginLookup(): number {
    return this.evictionCount;
  }

  /**
   * Caches a key read from the store, unless it was evicted since `lookup` began; returns the
   * entry to use for this request.
   */
  set(keyId: string, key: VerifiedKey, lookup: number, now = Date.now()): VerifiedKey {
    if ((this.evictions.get(keyId) ?? -1) >= lookup) return key;
    if (this.entries.size >= CACHE_MAX) this.entries.clear();
    const entry = { ...key, until: now + CACHE_MS };
    this.entries.set(keyId, entry);
    return entry;
  }

  evict(keyId: string): void {
    this.entries.delete(keyId);
    if (this.evictions.size >= CACHE_MAX) this.evictions.clear();
    this.evictions.set(keyId, this.evictionCount++);
  }
}
