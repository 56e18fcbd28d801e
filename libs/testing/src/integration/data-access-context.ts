import {
  Module,
  type DynamicModule,
  type INestApplicationContext,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import { TelemetryModule } from '@reverie/telemetry';
import type { Connection } from 'mongoose';
import { stackEnv } from './test-stack';

export interface DataAccessContext {
  app: INestApplicationContext;
  connection: Connection;
  /** Drops the database (the MongoDB-wire server keeps everything in memory) and closes. */
  close(): Promise<void>;
}

/**
 * A data-access module wired to the test stack's MongoDB in database `db`, without HTTP or
 * Kafka: for repository tests against the real MongoDB-protocol server.
 */
export async function startDataAccess(
  dataAccess: Type | DynamicModule,
  db: string,
): Promise<DataAccessContext> {
  @Module({
    imports: [
      MongooseModule.forRoot(stackEnv().mongoUrl, { dbName: db }),
      // What the platform gives every service: the metrics that domain services report to.
      TelemetryModule.forRoot('test'),
      dataAccess,
    ],
  })
  class DataAccessTestModule {}
  const app = await NestFactory.createApplicationContext(DataAccessTestModule, { logger: false });
  const connection = app.get<Connection>(getConnectionToken());
  return {
    app,
    connection,
    close: async () => {
      await connection.dropDatabase();
      await app.close();
    },
  };
}
