import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { TenantRequest } from './api-key.guard';

/** The tenant of the request's API key (set by ApiKeyGuard). */
export const TenantId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const tenantId = context.switchToHttp().getRequest<TenantRequest>().tenantId;
  if (!tenantId) throw new Error('TenantId used on a route without ApiKeyGuard');
  return tenantId;
});

/**
 * The id of the API key that made the request (`rvk_<id>_...`), recorded as the author of a
 * change; `api` on a route without ApiKeyGuard.
 */
export const ApiKeyId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<TenantRequest>().apiKey?.keyId ?? 'api',
);
