import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { ApiKeyRepository, SessionsDataAccessModule } from '@reverie/sessions-data-access';
import type { ApiKeyScope } from '@reverie/sessions-domain';

/**
 * Creates an API key straight in MongoDB, without a running gateway: this is how the first key
 * of a tenant is made (`npm run api-key -- create --tenant acme`). It is an `admin` key unless
 * other scopes are given, so that it can create and revoke the tenant's other keys.
 */
export async function createApiKey(
  mongo: { url: string; db: string },
  tenantId: string,
  name: string,
  scopes: readonly ApiKeyScope[] = ['admin'],
): Promise<{ keyId: string; token: string }> {
  @Module({
    imports: [
      MongooseModule.forRoot(mongo.url, {
        dbName: mongo.db,
        serverSelectionTimeoutMS: 5_000,
        retryAttempts: 0,
      }),
      SessionsDataAccessModule,
    ],
  })
  class AdminModule {}

  // No `logger` option: Nest applies it process-wide (Logger.overrideLogger), and `logger: false`
  // here silenced every later log line of the process that called this, e.g. a test's gateway
  // (a MongoDB outage spec saw neither "MongoDB is unreachable" nor a 500's stack). A CLI that
  // wants quiet output says so itself (scripts/api-key.ts).
  const app = await NestFactory.createApplicationContext(AdminModule, { abortOnError: false });
  try {
    const { keyId, token } = await app.get(ApiKeyRepository).create(tenantId, name, scopes);
    return { keyId, token };
  } finally {
    await app.close();
  }
}
