import { startGroupAtEnd } from './bench-stack';
import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { startService } from '@reverie/service-kit';
import { createApiKey } from '@reverie/sessions-feature';
import { ApiClient, anAgent } from '@reverie/testing';
import type { Admin } from 'kafkajs';
import type { Connection } from 'mongoose';
import { gatewayService } from '../../apps/session-gateway/src/app.module';
import {
  loadGatewayConfig,
  type GatewayConfig,
} from '../../apps/session-gateway/src/config/gateway.config';
import type { BenchOptions } from './options';
import { runClients, type Batch, type BenchSession, type ClientPlan } from './workload';

export interface BenchGateway {
  app: INestApplication;
  config: GatewayConfig;
  baseUrl: string;
}

/** Starts the real gateway (HTTP + ingest consumer) in this process, on its own db and group. */
export async function startBenchGateway(
  options: BenchOptions,
  admin: Admin,
  runId: string,
): Promise<BenchGateway> {
  const config = loadGatewayConfig({
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    MONGO_URL: options.mongoUrl,
    MONGO_DB: `bench_${runId}`,
    KAFKA_GROUP_ID: `bench-gateway-${runId}`,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KAFKA_TOPIC_PARTITIONS: String(options.partitions),
    // The ingest's knobs, so a run can try other values (the gateway's defaults otherwise).
    INGEST_PARTITIONS_CONCURRENTLY: process.env.INGEST_PARTITIONS_CONCURRENTLY,
    INGEST_MAX_BATCH: process.env.INGEST_MAX_BATCH,
    EVENT_MESSAGES: process.env.EVENT_MESSAGES,
  });
  // A new group starts from the earliest offset: without this the bench would time the ingest of
  // everything other runs left on the topic.
  await startGroupAtEnd(admin, config.kafka.groupId, TOPICS.sessionEvents);
  const app = await startService(gatewayService, config);
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, config, baseUrl };
}

/** An API key, one agent and `count` running sessions, all through the real API. */
export async function createSessions(
  gateway: Pick<BenchGateway, 'config' | 'baseUrl'>,
  tenantId: string,
  count: number,
): Promise<{ token: string; sessions: BenchSession[] }> {
  const key = await createApiKey(gateway.config.mongo, tenantId, 'bench');
  const api = new ApiClient(gateway.baseUrl, key.token);
  const agent = await api.post('/v1/agents', anAgent());
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  const sessions: BenchSession[] = [];
  for (let i = 0; i < count; i++) {
    const session = await api.post('/v1/sessions', { agentId: agent.body.id, title: `bench ${i}` });
    if (session.status !== 201) {
      throw new Error(`session not created: ${JSON.stringify(session.body)}`);
    }
    sessions.push({ tenantId, agentId: agent.body.id, sessionId: session.body.id });
  }
  return { token: key.token, sessions };
}

export interface PreparedRequest {
  url: string;
  body: string;
  count: number;
}

/**
 * Serialises every request body up front: the client shares this process (and the 2 CPUs) with
 * the gateway, and a real client would do that work on its own machine.
 */
export function prepareRequests(baseUrl: string, plans: ClientPlan[]): PreparedRequest[][] {
  return plans.map((plan) =>
    plan.map((b: Batch) => ({
      url: `${baseUrl}/v1/sessions/${b.session.sessionId}/events`,
      body: JSON.stringify({ events: b.events }),
      count: b.events.length,
    })),
  );
}

/** POSTs every batch; resolves when all were answered 202, calling `onAccepted` as they are. */
export async function postAll(
  token: string,
  requests: PreparedRequest[][],
  onAccepted: (count: number) => void,
): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-api-key': token };
  await runClients(requests, async (request) => {
    const response = await fetch(request.url, { method: 'POST', headers, body: request.body });
    const text = await response.text();
    if (response.status !== 202) {
      throw new Error(`POST ${request.url} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    onAccepted(request.count);
  });
}

/** Events stored so far for these sessions: the sum of their lastSeq (what eventCount shows). */
export async function storedCount(db: Connection, sessionIds: string[]): Promise<number> {
  const rows = await db
    .collection<{ _id: string; lastSeq?: number }>('sessions')
    .find({ _id: { $in: sessionIds } }, { projection: { lastSeq: 1 } })
    .toArray();
  return rows.reduce((sum, row) => sum + (row.lastSeq ?? 0), 0);
}

/** Polls MongoDB until `total` events are stored; returns when (performance.now()) it saw that. */
export async function waitStored(
  db: Connection,
  sessionIds: string[],
  total: number,
  timeoutMs: number,
  onPoll: (stored: number) => void,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stored = await storedCount(db, sessionIds);
    const now = performance.now();
    onPoll(stored);
    if (stored >= total) return now;
    if (now > deadline) {
      throw new Error(`only ${stored}/${total} events stored after ${timeoutMs / 1000}s`);
    }
    // Short interval: the poll's granularity bounds the error on the end-to-end time.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
