import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { TOPICS } from '@reverie/contracts';
import { startService } from '@reverie/service-kit';
import { createApiKey } from '@reverie/sessions-feature';
import { ApiClient, expectEventually, someEvents } from '@reverie/testing';
import {
  baseUrl,
  serviceEnv,
  startGroupAtEnd,
  startPrivateStack,
  uniqueName,
  type PrivateStack,
} from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
import { gatewayService } from '../src/app.module';
import { loadGatewayConfig, type GatewayConfig } from '../src/config/gateway.config';
import { anAgentWithSession, readAllEvents } from './gateway.harness';

/** The keys of `collection`'s unique indexes, e.g. `tenantId,sessionId,seq`. */
async function uniqueIndexes(connection: Connection, collection: string): Promise<string[]> {
  if (!connection.db) throw new Error('the gateway is not connected to MongoDB');
  const indexes = await connection.db.collection(collection).indexes();
  return indexes.filter((i) => i.unique).map((i) => Object.keys(i.key).join(','));
}

describe('durable by default: the MongoDB-wire server of the stack keeps its data and indexes across a restart', () => {
  // An own MongoDB (the stack's default, persistent backend); the shared Kafka broker.
  let stack: PrivateStack;
  let config: GatewayConfig;
  let gateway: INestApplication;

  beforeAll(async () => {
    stack = await startPrivateStack({ kafka: false });
    config = loadGatewayConfig(serviceEnv('gateway', { MONGO_URL: stack.mongoUrl }));
    // A new group starts from the earliest offset: skip what earlier tests left on the shared
    // broker, or this gateway first stores all of it (on H2, longer than the test waits).
    await startGroupAtEnd(config.kafka.groupId, TOPICS.sessionEvents);
    gateway = await startService(gatewayService, config);
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await stack?.down();
  }, 120_000);

  it('keeps API keys, sessions and their events when MongoDB restarts', async () => {
    const key = await createApiKey(config.mongo, uniqueName('tenant'), 'test');
    const api = new ApiClient(await baseUrl(gateway), key.token);
    const { sessionId } = await anAgentWithSession(api);
    const events = someEvents(5, 'kept');
    expect((await api.post(`/v1/sessions/${sessionId}/events`, { events })).status).toBe(202);
    await expectEventually(async () => expect(await readAllEvents(api, sessionId)).toHaveLength(5));

    await stack.stop('mongo');
    await stack.start('mongo');

    // A replica started now has never seen the key: it can only know it from MongoDB.
    const replica = await startService(gatewayService, { ...config, port: 0 });
    try {
      const fresh = new ApiClient(await baseUrl(replica), key.token);
      const session = await expectEventually(async () => {
        const response = await fresh.get(`/v1/sessions/${sessionId}`);
        expect(response.status).toBe(200);
        return response.body;
      });
      expect(session.id).toBe(sessionId);
      expect((await readAllEvents(fresh, sessionId)).map((e) => e.clientEventId)).toEqual(
        events.map((e) => e.clientEventId),
      );
    } finally {
      await replica.close();
    }
  }, 120_000);

  it('recreates the indexes when MongoDB comes back without them, without a service restart', async () => {
    // An in-memory server comes back empty, indexes included (as a MongoDB restored from a dump
    // or replaced by a new empty one would).
    const empty = await startPrivateStack({ kafka: false, mongoBackend: 'memory' });
    const ownConfig = loadGatewayConfig(serviceEnv('gateway', { MONGO_URL: empty.mongoUrl }));
    await startGroupAtEnd(ownConfig.kafka.groupId, TOPICS.sessionEvents);
    const own = await startService(gatewayService, ownConfig);
    try {
      const connection = own.get<Connection>(getConnectionToken());
      expect(await uniqueIndexes(connection, 'session_event_pages')).toContain(
        'tenantId,sessionId,page',
      );

      await empty.stop('mongo');
      await empty.start('mongo');

      await expectEventually(
        async () => {
          expect(await uniqueIndexes(connection, 'session_event_pages')).toContain(
            'tenantId,sessionId,page',
          );
          expect(await uniqueIndexes(connection, 'agents')).toContain('tenantId,name');
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    } finally {
      await own.close();
      await empty.down();
    }
  }, 180_000);
});
