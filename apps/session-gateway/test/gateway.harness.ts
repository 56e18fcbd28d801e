import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { TOPICS, type TopicName } from '@reverie/contracts';
import type { Connection } from 'mongoose';
import { startService } from '@reverie/service-kit';
import { createApiKey } from '@reverie/sessions-feature';
import { ApiClient, anAgent, expectEventually } from '@reverie/testing';
import {
  baseUrl,
  serviceEnv,
  startGroupAtEnd,
  testKafka,
  uniqueName,
} from '@reverie/testing/integration';
import { gatewayService } from '../src/app.module';
import { loadGatewayConfig, type GatewayConfig } from '../src/config/gateway.config';

export interface RunningGateway {
  app: INestApplication;
  config: GatewayConfig;
  /** No API key. */
  anonymous: ApiClient;
  close(): Promise<void>;
  /** A client with a new key of a new (or the given) tenant. */
  tenant(tenantId?: string): Promise<ApiClient>;
}

/** Starts the real gateway (HTTP + ingest) on port 0 against the test stack. */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = loadGatewayConfig(serviceEnv('gateway', env));
  await startGroupAtEnd(config.kafka.groupId, TOPICS.sessionEvents);
  const gateway = await attach(config, await startService(gatewayService, config));
  // The MongoDB-wire server keeps everything in memory: leave nothing behind.
  const connection = gateway.app.get<Connection>(getConnectionToken());
  const close = gateway.close;
  gateway.close = async () => {
    await connection.dropDatabase();
    await close();
  };
  return gateway;
}

/** Starts another gateway replica sharing `config`'s database and consumer group. */
export async function startReplica(config: GatewayConfig, overrides: Partial<GatewayConfig> = {}) {
  const replica = { ...config, ...overrides };
  return attach(replica, await startService(gatewayService, replica));
}

async function attach(config: GatewayConfig, app: INestApplication): Promise<RunningGateway> {
  const anonymous = new ApiClient(await baseUrl(app));
  return {
    app,
    config,
    anonymous,
    close: () => app.close(),
    tenant: async (tenantId = uniqueName('tenant')) => {
      const key = await createApiKey(config.mongo, tenantId, 'test');
      return anonymous.withKey(key.token);
    },
  };
}

/** Creates an agent and a running session for it; returns their ids. */
export async function anAgentWithSession(api: ApiClient) {
  const agent = await api.post('/v1/agents', anAgent());
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  const session = await api.post('/v1/sessions', { agentId: agent.body.id });
  if (session.status !== 201)
    throw new Error(`session not created: ${JSON.stringify(session.body)}`);
  return { agentId: agent.body.id as string, sessionId: session.body.id as string };
}

/** Reads every stored event of a session through the paged API. */
export async function readAllEvents(api: ApiClient, sessionId: string, pageSize = 250) {
  const all: { seq: number; clientEventId: string; id: string }[] = [];
  let after = 0;
  for (;;) {
    const page = await api.get(
      `/v1/sessions/${sessionId}/events?after_seq=${after}&limit=${pageSize}`,
    );
    if (page.status !== 200) throw new Error(`reading events failed: ${JSON.stringify(page.body)}`);
    all.push(...page.body.data);
    if (!page.body.has_more) return all;
    after = page.body.last_seq;
  }
}

export interface TappedMessage {
  partition: number;
  key: string;
  // Tests assert on arbitrary message fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  value: any;
  /** Header values as strings. */
  headers: Record<string, string>;
}

/**
 * Reads everything published to `topic` from now on, with a consumer group of its own (what is
 * already on a long-lived broker is skipped), into `messages`. Close it in afterAll.
 */
export async function tapTopic(topic: TopicName) {
  const groupId = uniqueName('test-tap');
  await startGroupAtEnd(groupId, topic);
  const consumer = testKafka().consumer({ groupId, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: TappedMessage[] = [];
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      messages.push({
        partition,
        key: message.key?.toString() ?? '',
        value: JSON.parse(message.value?.toString() ?? 'null'),
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v ?? '')]),
        ),
      });
    },
  });
  return {
    messages,
    /** What was read for one session. */
    forSession: (sessionId: string) => messages.filter((m) => m.value?.sessionId === sessionId),
    close: () => consumer.disconnect(),
  };
}

/** An API error as a client sees it. */
export interface ErrorResponse {
  status: number;
  body: { type: string; error: { type: string; message: string; details?: { path: string }[] } };
}

/** Asserts a typed error body with this status, type and message, and no stack trace in it. */
export function expectApiError(
  response: ErrorResponse,
  status: number,
  type: string,
  message: RegExp,
): void {
  expect(response.status).toBe(status);
  expect(response.body.type).toBe('error');
  expect(response.body.error.type).toBe(type);
  expect(response.body.error.message).toMatch(message);
  expect(JSON.stringify(response.body)).not.toMatch(/\s+at\s+\S+\s+\(/);
}

/** A POST with an `Idempotency-Key` header. */
export const keyed = (api: ApiClient, path: string, key: string, body: unknown) =>
  api.request('POST', path, body, { headers: { 'Idempotency-Key': key } });

/** A new agent's id. */
export async function anAgentOf(api: ApiClient): Promise<string> {
  const agent = await api.post('/v1/agents', anAgent());
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  return agent.body.id as string;
}

/**
 * Waits until the ingest has read everything sent to the session before now: one event is sent
 * after, on the same partition, so once it is stored every earlier message of the session
 * (started messages, feedback) has been handled too.
 */
export async function ingestCaughtUp(api: ApiClient, sessionId: string, marker: string) {
  const sent = await api.post(`/v1/sessions/${sessionId}/events`, {
    events: [{ clientEventId: marker, type: 'observation', data: {} }],
  });
  expect(sent.status).toBe(202);
  await expectEventually(
    async () => {
      const events = await api.get(`/v1/sessions/${sessionId}/events?limit=1000`);
      expect(events.body.data.map((e: { clientEventId: string }) => e.clientEventId)).toContain(
        marker,
      );
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** The feedback stored for a session once the ingest has read everything sent before now. */
export async function storedFeedback(api: ApiClient, sessionId: string) {
  const marker = await api.post(`/v1/sessions/${sessionId}/feedback`, {
    rating: 'negative',
    comment: `marker ${Math.random()}`,
  });
  expect(marker.status).toBe(202);
  return expectEventually(
    async () => {
      const page = await api.get(`/v1/sessions/${sessionId}/feedback`);
      const ids = page.body.data.map((f: { id: string }) => f.id) as string[];
      expect(ids).toContain(marker.body.id);
      return ids.filter((id) => id !== marker.body.id);
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}
