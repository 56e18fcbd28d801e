import { Global, Module } from '@nestjs/common';
import { TOPICS, topicWithConfig } from '@reverie/contracts';
import { ApiKeyAuthenticator } from '@reverie/http';
import type { TopicSpec } from '@reverie/kafka';
import { SessionsDataAccessModule } from '@reverie/sessions-data-access';
import { ApiKeyRevocationsListener } from './api-key-revocations.listener';
import { ApiKeyCache } from './api-key.cache';
import { StoredApiKeyAuthenticator } from './stored-api-key.authenticator';

/** The revocation topic, for the platform to create at start-up (kept an hour: TOPIC_CONFIGS). */
export const API_KEY_TOPICS: TopicSpec[] = [topicWithConfig(TOPICS.apiKeyRevocations)];

/**
 * How every HTTP module's ApiKeyGuard (`@reverie/http`) verifies keys, app-wide: the
 * `ApiKeyAuthenticator` over `api_keys`, one cache of verified keys per application, and the
 * listener that evicts revoked keys from it. The gateway imports it once.
 */
@Global()
@Module({
  imports: [SessionsDataAccessModule],
  providers: [
    ApiKeyCache,
    ApiKeyRevocationsListener,
    { provide: ApiKeyAuthenticator, useClass: StoredApiKeyAuthenticator },
  ],
  exports: [ApiKeyCache, ApiKeyRevocationsListener, ApiKeyAuthenticator],
})
export class ApiKeysAuthModule {}
