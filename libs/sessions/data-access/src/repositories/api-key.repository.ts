import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { generateApiKey, type ApiKeyScope } from '@reverie/sessions-domain';
import type { Model } from 'mongoose';
import { ApiKey } from '../schemas/api-key.schema';

export type ApiKeyRecord = ApiKey;

/** Every field but the secret's hash: what listings and the key API read. */
const PUBLIC_FIELDS = { secretHash: 0 } as const;

@Injectable()
export class ApiKeyRepository {
  constructor(@InjectModel(ApiKey.name) private readonly keys: Model<ApiKey>) {}

  /** Creates a key for a tenant; returns the full token, which is never retrievable again. */
  async create(
    tenantId: string,
    name: string,
    scopes: readonly ApiKeyScope[] = [],
  ): Promise<{ keyId: string; token: string; record: Omit<ApiKeyRecord, 'secretHash'> }> {
    const key = generateApiKey();
    const record = {
      _id: key.keyId,
      tenantId,
      name,
      scopes: [...scopes],
      createdAt: new Date(),
    };
    await this.keys.create({ ...record, secretHash: key.secretHash });
    return { keyId: key.keyId, token: key.token, record };
  }

  /**
   * The one lookup not scoped by tenant: authentication is how the tenant is found. Returns only
   * keys that are not revoked.
   */
  findActive(keyId: string): Promise<ApiKeyRecord | null> {
    return this.keys
      .findOne({ _id: keyId, revokedAt: { $exists: false } })
      .lean<ApiKeyRecord>()
      .exec();
  }

  /** One of the tenant's keys, revoked or not, without its hash. */
  findById(tenantId: string, keyId: string): Promise<Omit<ApiKeyRecord, 'secretHash'> | null> {
    return this.keys
      .findOne({ _id: keyId, tenantId }, PUBLIC_FIELDS)
      .lean<Omit<ApiKeyRecord, 'secretHash'>>()
      .exec();
  }

  /** The tenant's keys that are not revoked, newest first, without their hashes. */
  listActive(tenantId: string, limit: number): Promise<Omit<ApiKeyRecord, 'secretHash'>[]> {
    return this.keys
      .find({ tenantId, revokedAt: { $exists: false } }, PUBLIC_FIELDS)
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<Omit<ApiKeyRecord, 'secretHash'>[]>()
      .exec();
  }

  countActive(tenantId: string): Promise<number> {
    return this.keys.countDocuments({ tenantId, revokedAt: { $exists: false } }).exec();
  }

  /**
   * Revokes one of the tenant's keys (a key already revoked keeps its first revocation time);
   * returns it, or null when the tenant has no such key.
   */
  async revoke(
    tenantId: string,
    keyId: string,
    at: Date,
  ): Promise<Omit<ApiKeyRecord, 'secretHash'> | null> {
    await this.keys
      .updateOne(
        { _id: keyId, tenantId, revokedAt: { $exists: false } },
        { $set: { revokedAt: at } },
      )
      .exec();
    return this.findById(tenantId, keyId);
  }

  /**
   * Records a use: a conditional write, so replicas that each decide to record a use within the
   * same interval change the document once.
   */
  async recordUse(tenantId: string, keyId: string, at: Date, minIntervalMs: number): Promise<void> {
    await this.keys
      .updateOne(
        {
          _id: keyId,
          tenantId,
          $or: [
            { lastUsedAt: { $exists: false } },
            { lastUsedAt: { $lte: new Date(at.getTime() - minIntervalMs) } },
          ],
        },
        { $set: { lastUsedAt: at } },
      )
      .exec();
  }
}
