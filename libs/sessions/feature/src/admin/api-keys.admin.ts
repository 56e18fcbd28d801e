import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { ApiKeyRepository, SessionsDataAccessModule } from '@reverie/sessions-data-access';

/**
 * Creates an API key straight in MongoDB, without a running gateway: this is how the first key
 * of a tenant is made (`npm run api-key -- create --tenant acme`).
 */
export async function createApiKey(
  mongo: { url: string; db: string },
  tenantId: string,
  name: string,
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

  const app = await NestFactory.createApplicationContext(AdminModule, {
    logger: false,
    abortOnError: false,
  });
  try {
    return await app.get(ApiKeyRepository).create(tenantId, name);
  } finally {
    await app.close();
  }
}
