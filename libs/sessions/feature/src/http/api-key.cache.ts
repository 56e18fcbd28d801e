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
  /**
   * Store reads in flight per key id. Only they can race an eviction (a read that begins after
   * it sees the key gone), so an eviction is recorded only for a key being read, and forgotten
   * when its last read ends: the record is bounded by the requests in flight, never by how many
   * key ids were evicted or presented (a spray of random ids used to fill it until it was
   * cleared, and a clear let a read begun before a revocation cache the revoked key).
   */
  private readonly reading = new Map<string, number>();
  /** Eviction counter per key being read: a lookup that began before an eviction must not re-cache. */
  private readonly evictions = new Map<string, number>();
  private evictionCount = 0;

  get(keyId: string, now = Date.now()): VerifiedKey | undefined {
    const entry = this.entries.get(keyId);
    if (entry && entry.until > now) return entry;
    if (entry) this.entries.delete(keyId);
    return undefined;
  }

  /**
   * A token for `set`: taken before reading the store, so a revocation in between wins. Every
   * call must be paired with `endLookup` once the read is over, whatever its outcome.
   */
  beginLookup(keyId: string): number {
    this.reading.set(keyId, (this.reading.get(keyId) ?? 0) + 1);
    return this.evictionCount;
  }

  endLookup(keyId: string): void {
    const n = (this.reading.get(keyId) ?? 1) - 1;
    if (n > 0) {
      this.reading.set(keyId, n);
      return;
    }
    this.reading.delete(keyId);
    this.evictions.delete(keyId);
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
    const count = this.evictionCount++;
    if (this.reading.has(keyId)) this.evictions.set(keyId, count);
  }
}
