import { spawn, type ChildProcess } from 'node:child_process';
import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { startService } from '@reverie/service-kit';
import { createApiKey } from '@reverie/sessions-feature';
import { ApiClient, expectEventually, freePort, someEvents } from '@reverie/testing';
import {
  baseUrl,
  serviceEnv,
  startPrivateStack,
  uniqueName,
  type PrivateStack,
} from '@reverie/testing/integration';
import { gatewayService } from '../src/app.module';
import { loadGatewayConfig, type GatewayConfig } from '../src/config/gateway.config';
import { anAgentWithSession, readAllEvents } from './gateway.harness';

/** What a client sees of one request, with a deadline: a request that hangs fails the test. */
async function call(url: string, method: string, path: string, key?: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(key ? { 'x-api-key': key } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    // Far below kafkajs's and the driver's own give-up times (minutes); well above ours.
    signal: AbortSignal.timeout(20_000),
  }).catch((err: Error) => {
    throw new Error(`${method} ${path}: no answer (${err.message})`);
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    // Tests read arbitrary fields of the JSON body.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    body: (text ? JSON.parse(text) : undefined) as any,
  };
}

/**
 * A member of `groupId` that joins and is then killed: the group waits for it until its session
 * times out (30 s) before anyone else can join, as after a replica's crash.
 */
async function leaveADeadMember(brokers: string, groupId: string): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const { Kafka, logLevel } = require('kafkajs');
       const [brokers, groupId, topic] = process.argv.slice(1);
       const kafka = new Kafka({ clientId: 'dead-member', brokers: [brokers], logLevel: logLevel.NOTHING });
       const consumer = kafka.consumer({ groupId, sessionTimeout: 30000, heartbeatInterval: 3000 });
       consumer.on(consumer.events.GROUP_JOIN, () => console.log('joined'));
       consumer.connect()
         .then(() => consumer.subscribe({ topics: [topic] }))
         .then(() => consumer.run({ eachMessage: async () => undefined }));`,
      brokers,
      groupId,
      TOPICS.sessionEvents,
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('joined')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the group member exited early (${code})`)));
  });
  child.removeAllListeners('exit');
  child.kill('SIGKILL');
}

/** Polls readiness until it says 200. */
async function expectReady(url: string, timeoutMs = 60_000) {
  await expectEventually(
    async () => {
      const ready = await call(url, 'GET', '/health/ready');
      // The whole body on failure: it says which part is down and why.
      expect({ status: ready.status, body: ready.body }).toEqual({
        status: 200,
        body: expect.objectContaining({ status: 'ok' }),
      });
    },
    { timeoutMs, intervalMs: 500 },
  );
}

describe('fail fast: a dependency down is a 503 with Retry-After at once; readiness tells the truth', () => {
  let stack: PrivateStack;
  let config: GatewayConfig;
  let app: INestApplication;
  let url: string;
  let key: string;
  let api: ApiClient;

  beforeAll(async () => {
    // Kafka and MongoDB of this file's own: the tests stop them.
    stack = await startPrivateStack({ mongoBackend: 'h2' });
    config = loadGatewayConfig(
      serviceEnv('gateway', { KAFKA_BROKERS: stack.kafkaBrokers, MONGO_URL: stack.mongoUrl }),
    );
    app = await startService(gatewayService, config);
    url = await baseUrl(app);
    key = (await createApiKey(config.mongo, uniqueName('tenant'), 'test')).token;
    api = new ApiClient(url, key);
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await stack?.down();
  }, 120_000);

  it('answers 503 with Retry-After while Kafka is down, says not ready, and takes events again once it is back', async () => {
    const { sessionId } = await anAgentWithSession(api);
    await stack.stop('kafka');
    try {
      const refused = await call(url, 'POST', `/v1/sessions/${sessionId}/events`, key, {
        events: someEvents(2, 'while-down'),
      });
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body.error.message).toMatch(/Kafka is unavailable.*retry/);

      const ready = await call(url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details.kafka.status).toBe('down');
      expect(ready.body.details.mongo.status).toBe('up');
      expect((await call(url, 'GET', '/health/live')).status).toBe(200);
    } finally {
      await stack.start('kafka');
    }

    const events = someEvents(3, 'after');
    await expectEventually(
      async () => {
        const accepted = await call(url, 'POST', `/v1/sessions/${sessionId}/events`, key, {
          events,
        });
        expect(accepted.status).toBe(202);
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await expectEventually(
      async () => {
        const stored = (await readAllEvents(api, sessionId)).map((e) => e.clientEventId);
        expect(stored).toEqual(expect.arrayContaining(events.map((e) => e.clientEventId)));
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await expectReady(url);
  }, 180_000);

  it('answers 503 with Retry-After while MongoDB is down, says not ready, and serves again once it is back', async () => {
    const { sessionId } = await anAgentWithSession(api);
    await stack.stop('mongo');
    try {
      // Readiness first, at once: the driver notices a lost server only at its next heartbeat
      // (up to 2 s). Readiness read the driver's state and once, in CI, said ready here.
      const ready = await call(url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details.mongo.status).toBe('down');

      const refused = await call(url, 'GET', `/v1/sessions/${sessionId}`, key);
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(JSON.stringify(refused.body)).not.toMatch(/\s+at\s+\S+\s+\(/);
    } finally {
      await stack.start('mongo');
    }

    await expectEventually(
      async () => {
        const session = await call(url, 'GET', `/v1/sessions/${sessionId}`, key);
        expect(session.status).toBe(200);
        expect(session.body.id).toBe(sessionId);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await expectReady(url);
  }, 180_000);

  it('opens HTTP before its consumers have rejoined a slow group: live at once, not ready until they run', async () => {
    const port = await freePort();
    const replica = {
      ...config,
      port,
      kafka: { ...config.kafka, groupId: uniqueName('test-slow-group') },
    };
    await leaveADeadMember(stack.kafkaBrokers, replica.kafka.groupId);

    const starting = startService(gatewayService, replica);
    const replicaUrl = `http://127.0.0.1:${port}`;
    try {
      await expectEventually(
        async () => expect((await call(replicaUrl, 'GET', '/health/live')).status).toBe(200),
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      const ready = await call(replicaUrl, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details.consumers.status).toBe('down');
      expect(ready.body.details.mongo.status).toBe('up');

      await expectReady(replicaUrl, 90_000);
    } finally {
      await (await starting).close();
    }
  }, 180_000);
});
