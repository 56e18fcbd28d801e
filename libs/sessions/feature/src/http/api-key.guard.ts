import {
  Injectable,
  Logger,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRepository } from '@reverie/sessions-data-access';
import {
  forbidden,
  LAST_USED_WRITE_INTERVAL_MS,
  parseApiKey,
  secretMatches,
  shouldRecordUse,
  unauthenticated,
  type ApiKeyScope,
} from '@reverie/sessions-domain';
import type { Request } from 'express';
import { ApiKeyCache, type VerifiedKey } from './api-key.cache';

export interface TenantRequest extends Request {
  tenantId?: string;
  /** The verified key that made the request. */
  apiKey?: { keyId: string; scopes: readonly string[] };
}

const REQUIRED_SCOPE = 'reverie:required-api-key-scope';

/** Routes only keys with this scope may call (ApiKeyGuard enforces it, with a 403). */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/**
 * Every /v1 request carries an API key (`x-api-key: rvk_...` or `Authorization: Bearer rvk_...`);
 * the key's tenant scopes everything the request can see. Verified keys are cached (ApiKeyCache);
 * a key's last use is written at most once a minute, after the answer is decided.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger('ApiKeyGuard');

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly reflector: Reflector,
  ) {}

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
    this.recordUse(parsed.keyId, known);
    request.tenantId = known.tenantId;
    request.apiKey = { keyId: parsed.keyId, scopes: known.scopes };
    const required = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required && !known.scopes.includes(required)) {
      throw forbidden(
        `this API key lacks the "${required}" scope, which this route needs; use a key with it (npm run api-key -- create --tenant <t> makes one, or an admin creates one with POST /v1/api-keys and "scopes": ["${required}"])`,
      );
    }
    return true;
  }

  private async lookup(keyId: string): Promise<VerifiedKey | null> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const lookup = this.cache.beginLookup();
    const record = await this.keys.findActive(keyId);
    if (!record) {
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
