import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiKeyRepository } from '@reverie/sessions-data-access';
import { parseApiKey, secretMatches, unauthenticated } from '@reverie/sessions-domain';
import type { Request } from 'express';

export interface TenantRequest extends Request {
  tenantId?: string;
}

const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

/**
 * Every /v1 request carries an API key (`x-api-key: rvk_...` or `Authorization: Bearer rvk_...`);
 * the key's tenant scopes everything the request can see. Verified keys are cached briefly so a
 * busy client does not cost a database read per request.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new Map<string, { tenantId: string; hash: string; until: number }>();

  constructor(private readonly keys: ApiKeyRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const header =
      request.header('x-api-key') ?? request.header('authorization')?.replace(/^Bearer\s+/i, '');
    if (!header) {
      throw unauthenticated(
        'missing API key: send it as "x-api-key: rvk_..." or "Authorization: Bearer rvk_..."',
      );
    }
    const parsed = parseApiKey(header);
    if (!parsed) throw unauthenticated('malformed API key: keys look like rvk_<id>_<secret>');
    const known = await this.lookup(parsed.keyId);
    if (!known || !secretMatches(parsed.secret, known.hash)) {
      throw unauthenticated('invalid or revoked API key');
    }
    request.tenantId = known.tenantId;
    return true;
  }

  private async lookup(keyId: string) {
    const now = Date.now();
    const cached = this.cache.get(keyId);
    if (cached && cached.until > now) return cached;
    const record = await this.keys.findActive(keyId);
    if (!record) {
      this.cache.delete(keyId);
      return null;
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    const entry = { tenantId: record.tenantId, hash: record.secretHash, until: now + CACHE_MS };
    this.cache.set(keyId, entry);
    return entry;
  }
}
