import { API_KEY_SCOPES } from '@reverie/sessions-domain';
import { z } from 'zod';

export const MAX_API_KEY_NAME = 128;
/** Keys one tenant may hold at once (GET /v1/api-keys lists them all); revoked ones do not count. */
export const MAX_API_KEYS_PER_TENANT = 100;

/** POST /v1/api-keys. Scopes are kept once each. */
export const createApiKeySchema = z.strictObject({
  name: z
    .string({ error: 'must be a label such as "ci" or "ops laptop"' })
    .trim()
    .min(1, 'must not be empty: name the key after who or what uses it')
    .max(MAX_API_KEY_NAME),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { error: `must be one of ${API_KEY_SCOPES.join(', ')}` }))
    .max(API_KEY_SCOPES.length * 4)
    .default([])
    .transform((scopes) => [...new Set(scopes)]),
});

export type CreateApiKeyRequest = z.infer<typeof createApiKeySchema>;
