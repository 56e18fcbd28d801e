import { iso } from '@reverie/http';
import type { ApiKeyRecord } from '@reverie/sessions-data-access';
import { apiKeyResourceId } from '@reverie/sessions-domain';

/**
 * A key as the API shows it: never its hash, and the key itself only once, when it is created.
 * `prefix` is how the key starts (`rvk_<key id>`), to tell keys apart.
 */
export function presentApiKey(k: Omit<ApiKeyRecord, 'secretHash'>, token?: string) {
  return {
    type: 'api_key' as const,
    id: apiKeyResourceId(k._id),
    name: k.name,
    prefix: `rvk_${k._id}`,
    scopes: k.scopes ?? [],
    ...(token !== undefined && { key: token }),
    created_at: iso(k.createdAt),
    last_used_at: iso(k.lastUsedAt),
    revoked_at: iso(k.revokedAt),
  };
}

export type PresentedApiKey = ReturnType<typeof presentApiKey>;
