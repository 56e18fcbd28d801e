import { Global, Module } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import type { TopicSpec } from '@reverie/kafka';
import { ApiKeyRevocationsListener } from './api-key-revocations.listener';
import { ApiKeyCache } from './api-key.cache';

/**
 * The revocation topic, for the platform to create at start-up. Revocations matter only while a
 * cache entry could hold the key (30 s): an hour of them is plenty for a replica that joins late.
 */
export const API_KEY_TOPICS: TopicSpec[] = [
  {
    topic: TOPICS.apiKeyRevocations,
    config: { 'cleanup.policy': 'delete', 'retention.ms': String(60 * 60 * 1000) },
  },
];

/**
 * One cache of verified keys per application, shared by every module's ApiKeyGuard (sessions,
 * playbooks), and the listener that evicts revoked keys from it.
 */
@Global()
@Module({
  providers: [ApiKeyCache, ApiKeyRevocationsListener],
  exports: [ApiKeyCache, ApiKeyRevocationsListener],
})
export class ApiKeysAuthModule {}
