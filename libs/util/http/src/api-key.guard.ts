import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { forbidden, unauthenticated } from './api-error';

/** Who a verified API key speaks for. */
export interface ApiCaller {
  tenantId: string;
  keyId: string;
  scopes: readonly string[];
}

/**
 * Verifies a presented API key (the header's value, `rvk_<id>_<secret>`). The sessions domain,
 * which stores the keys, provides it app-wide (`ApiKeysAuthModule`); every domain's HTTP module
 * uses `ApiKeyGuard` without depending on that store.
 */
export abstract class ApiKeyAuthenticator {
  /** The key's caller; throws an `ApiError` (401) for a malformed, unknown or revoked key. */
  abstract authenticate(presented: string): Promise<ApiCaller>;
}

export interface TenantRequest extends Request {
  tenantId?: string;
  /** The verified key that made the request. */
  apiKey?: { keyId: string; scopes: readonly string[] };
}

const REQUIRED_SCOPE = 'reverie:required-api-key-scope';

/** Routes only keys with this scope may call (ApiKeyGuard enforces it, with a 403). */
export const RequireScope = (scope: string) => SetMetadata(REQUIRED_SCOPE, scope);

/**
 * Every /v1 request carries an API key (`x-api-key: rvk_...` or `Authorization: Bearer rvk_...`);
 * the key's tenant scopes everything the request can see. `ApiKeyAuthenticator` says whose key
 * it is; this guard puts the tenant on the request and enforces `RequireScope`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const apiKey = request.header('x-api-key');
    const bearer = request.header('authorization')?.replace(/^Bearer\s+/i, '');
    // Two different keys: which tenant the caller means is a guess, so neither is taken.
    if (apiKey && bearer && apiKey !== bearer)
      throw unauthenticated(
        'two different API keys: "x-api-key" and "Authorization" name different keys; send one',
      );
    const header = apiKey ?? bearer;
    if (!header) {
      throw unauthenticated(
        'missing API key: send it as "x-api-key: rvk_..." or "Authorization: Bearer rvk_..."',
      );
    }
    const caller = await this.authenticator.authenticate(header);
    request.tenantId = caller.tenantId;
    request.apiKey = { keyId: caller.keyId, scopes: caller.scopes };
    const required = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required && !caller.scopes.includes(required)) {
      throw forbidden(
        `this API key lacks the "${required}" scope, which this route needs; use a key with it (npm run api-key -- create --tenant <t> makes one, or an admin creates one with POST /v1/api-keys and "scopes": ["${required}"])`,
      );
    }
    return true;
  }
}
