import { Injectable } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { conflict, notFound, parseOrThrow } from '@reverie/http';
import { EventPublisher } from '@reverie/kafka';
import { ApiKeyRepository, type ApiKeyRecord } from '@reverie/sessions-data-access';
import { apiKeyResourceId, keyIdOfResource } from '@reverie/sessions-domain';
import { ApiKeyCache } from './api-key.cache';
import { createApiKeySchema, MAX_API_KEYS_PER_TENANT } from './api-key-requests';

type PublicKey = Omit<ApiKeyRecord, 'secretHash'>;

/**
 * A tenant's API keys over HTTP (admin keys only; ApiKeyGuard checks the scope). Revoking writes
 * the revocation, evicts the key here and publishes it so every other replica evicts it too.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly publisher: EventPublisher,
  ) {}

  async create(tenantId: string, body: unknown): Promise<{ record: PublicKey; token: string }> {
    const req = parseOrThrow(createApiKeySchema, body, 'API key request');
    if ((await this.keys.countActive(tenantId)) >= MAX_API_KEYS_PER_TENANT)
      throw conflict(
        `this tenant already has ${MAX_API_KEYS_PER_TENANT} active API keys; revoke one you no longer use with POST /v1/api-keys/:id/revoke`,
      );
    const { record, token } = await this.keys.create(tenantId, req.name, req.scopes);
    return { record, token };
  }

  list(tenantId: string): Promise<PublicKey[]> {
    return this.keys.listActive(tenantId, MAX_API_KEYS_PER_TENANT);
  }

  async get(tenantId: string, id: string): Promise<PublicKey> {
    const keyId = keyIdOfResource(id);
    const key = keyId ? await this.keys.findById(tenantId, keyId) : null;
    if (!key) throw this.missing(id);
    return key;
  }

  /**
   * Revokes the key at once on every replica. Revoking a revoked key publishes its revocation
   * again (so a revocation whose publishing failed can be retried) and keeps its first time.
   */
  async revoke(tenantId: string, id: string): Promise<PublicKey> {
    const keyId = keyIdOfResource(id);
    const key = keyId ? await this.keys.revoke(tenantId, keyId, new Date()) : null;
    if (!keyId || !key?.revokedAt) throw this.missing(id);
    this.cache.evict(keyId);
    await this.publisher.publish(TOPICS.apiKeyRevocations, [
      {
        id: `api_key.revoked:${keyId}`,
        type: 'api_key.revoked',
        tenantId,
        agentId: apiKeyResourceId(keyId),
        occurredAt: key.revokedAt.toISOString(),
        schemaVersion: 1,
        payload: { keyId, revokedAt: key.revokedAt.toISOString() },
      },
    ]);
    return key;
  }

  private missing(id: string) {
    return notFound(`API key "${id}" not found; list this tenant's keys with GET /v1/api-keys`);
  }
}
