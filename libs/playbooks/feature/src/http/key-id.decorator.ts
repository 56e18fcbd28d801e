import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { parseApiKey } from '@reverie/sessions-domain';
import type { Request } from 'express';

/** The key id (`rvk_<id>_…`) of the request's API key, read the way ApiKeyGuard reads it. */
export function apiKeyIdOf(request: {
  header(name: string): string | undefined;
}): string | undefined {
  const header =
    request.header('x-api-key') ?? request.header('authorization')?.replace(/^Bearer\s+/i, '');
  return header ? parseApiKey(header)?.keyId : undefined;
}

/**
 * The id of the API key that made the request, or `api` when there is none. Use only behind
 * ApiKeyGuard, which has already verified the key: this only re-reads its public id.
 */
export const KeyId = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    apiKeyIdOf(context.switchToHttp().getRequest<Request>()) ?? 'api',
);
