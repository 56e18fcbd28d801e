import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { generateApiKey } from '@reverie/sessions-domain';
import type { Model } from 'mongoose';
import { ApiKey } from '../schemas/api-key.schema';

export type ApiKeyRecord = ApiKey;

@Injectable()
export class ApiKeyRepository {
  constructor(@InjectModel(ApiKey.name) private readonly keys: Model<ApiKey>) {}

  /** Creates a key for a tenant; returns the full token, which is never retrievable again. */
  async create(tenantId: string, name: string): Promise<{ keyId: string; token: string }> {
    const key = generateApiKey();
    await this.keys.create({
      _id: key.keyId,
      tenantId,
      name,
      secretHash: key.secretHash,
      createdAt: new Date(),
    });
    return { keyId: key.keyId, token: key.token };
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
}
