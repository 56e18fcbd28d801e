import { z } from 'zod';
import { defineEvent } from '../envelope.schema';

/**
 * An API key was revoked: every gateway replica drops it from its cache of verified keys, so the
 * key is refused at once everywhere, not when the cache entry expires. A key belongs to no agent:
 * the envelope's `agentId` carries the key's id (`key_…`), which is also the message key.
 * Publishing it again (revoking a revoked key) is harmless.
 */
export const apiKeyRevokedEvent = defineEvent(
  'api_key.revoked',
  z.object({
    /** The stored key id, the middle of `rvk_<key id>_<secret>`. */
    keyId: z.string().regex(/^[a-f0-9]{16}$/, 'must be the 16 hex digits of a key id'),
    revokedAt: z.iso.datetime({ offset: true }),
  }),
);

export const apiKeyTopicMessageSchema = z.discriminatedUnion('type', [apiKeyRevokedEvent]);

export type ApiKeyRevoked = z.infer<typeof apiKeyRevokedEvent>;
