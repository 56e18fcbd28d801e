import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { startService } from '@reverie/service-kit';
import { RUN_NOT_ACKNOWLEDGED } from '@reverie/sessions-domain';
import { createApiKey } from '@reverie/sessions-feature';
import { anAgent, ApiClient, expectEventually } from '@reverie/testing';
import {
  baseUrl,
  serviceEnv,
  startPrivateStack,
  uniqueName,
  type PrivateStack,
} from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
// An orchestrator runs the managed session of the outage case (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { service as orchestratorService } from '../../orchestrator/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig as loadOrchestratorConfig } from '../../orchestrator/src/config/orchestrator.config';
import { gatewayService } from '../src/app.module';
import { loadGatewayConfig } from '../src/config/gateway.config';
import { startGateway, type RunningGateway } from './gateway.harness';

const keyed = (api: ApiClient, path: string, key: string, body: unknown) =>
  api.request('POST', path, body, { headers: { 'Idempotency-Key': key } });

async function anAgentOf(api: ApiClient): Promise<string> {
  const agent = await api.post('/v1/agents', anAgent());
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  return agent.body.id as string;
}

/**
 * Waits until the ingest has read everything sent to the session before now: one event is sent
 * after, on the same partition, so once it is stored every earlier message of the session
 * (started messages, feedback) has been handled too.
 */
async function ingestCaughtUp(api: ApiClient, sessionId: string, marker: string) {
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
async function storedFeedback(api: ApiClient, sessionId: string) {
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

describe('Idempotency-Key on POST /v1/sessions and POST /v1/sessions/:id/feedback', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let bob: ApiClient;
  let aliceAgent: string;

  beforeAll(async () => {
    gateway = await startGateway();
    [alice, bob] = await Promise.all([gateway.tenant(), gateway.tenant()]);
    aliceAgent = await anAgentOf(alice);
  });
  afterAll(() => gateway.close());

  it('answers the same session to a create sent twice with one key, and stores it once', async () => {
    const body = { agentId: aliceAgent, title: 'ticket 42', metadata: { a: 1, b: [2] } };
    const first = await keyed(alice, '/v1/sessions', 'create-1', body);
    // The same request, its keys in another order: the same request.
    const again = await keyed(alice, '/v1/sessions', 'create-1', {
      metadata: { b: [2], a: 1 },
      title: 'ticket 42',
      agentId: aliceAgent,
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.playbooks).toEqual(first.body.playbooks);

    await ingestCaughtUp(alice, first.body.id, 'after-create');
    const listed = await alice.get(`/v1/sessions?agentId=${aliceAgent}`);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
    expect(listed.body.data[0]).toMatchObject({ title: 'ticket 42', status: 'running' });

    // Without a key, each request is a new session, as before.
    const plain = await alice.post('/v1/sessions', body);
    expect(plain.status).toBe(201);
    expect(plain.body.id).not.toBe(first.body.id);
  });

  it('answers the same managed session to a managed create sent twice with one key', async () => {
    const agentId = await anAgentOf(alice);
    const body = {
      agentId,
      run: { environment: 'ci-log-triage', task: { caseId: 'assertj_1944' } },
    };
    const first = await keyed(alice, '/v1/sessions', 'managed-1', body);
    const again = await keyed(alice, '/v1/sessions', 'managed-1', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const listed = await alice.get(`/v1/sessions?agentId=${agentId}`);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
  });

  it('stores feedback sent twice with one key once, under the id both answers name', async () => {
    const session = await alice.post('/v1/sessions', { agentId: aliceAgent });
    const path = `/v1/sessions/${session.body.id}/feedback`;
    const body = { rating: 'positive', comment: 'solved it' };
    const first = await keyed(alice, path, 'fb-1', body);
    const again = await keyed(alice, path, 'fb-1', body);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await storedFeedback(alice, session.body.id)).toEqual([first.body.id]);
  });

  it('refuses a key reused with another request (422 idempotency_error), changing nothing', async () => {
    const first = await keyed(alice, '/v1/sessions', 'reused', { agentId: aliceAgent, title: 'a' });
    expect(first.status).toBe(201);
    const other = await keyed(alice, '/v1/sessions', 'reused', { agentId: aliceAgent, title: 'b' });
    expect(other.status).toBe(422);
    expect(other.body.error.type).toBe('idempotency_error');
    expect(other.body.error.message).toMatch(
      /^Idempotency-Key "reused" was already used for another request to POST \/v1\/sessions/,
    );
    expect(JSON.stringify(other.body)).not.toContain(first.body.id);

    // Feedback: the same key and body on another session is another request.
    const [s1, s2] = await Promise.all(
      [1, 2].map(async () => (await alice.post('/v1/sessions', { agentId: aliceAgent })).body.id),
    );
    const fb = { rating: 'positive' };
    expect((await keyed(alice, `/v1/sessions/${s1}/feedback`, 'fb-reused', fb)).status).toBe(202);
    const elsewhere = await keyed(alice, `/v1/sessions/${s2}/feedback`, 'fb-reused', fb);
    expect(elsewhere.status).toBe(422);
    expect(await storedFeedback(alice, s2)).toEqual([]);
  });

  it("keeps keys per tenant: another tenant's same key is its own request", async () => {
    const aliceFirst = await keyed(alice, '/v1/sessions', 'shared-key', { agentId: aliceAgent });
    expect(aliceFirst.status).toBe(201);
    // Bob with Alice's key and Alice's body: Alice's agent is not his (404), nothing of hers.
    const intruder = await keyed(bob, '/v1/sessions', 'shared-key', { agentId: aliceAgent });
    expect(intruder.status).toBe(404);
    expect(JSON.stringify(intruder.body)).not.toContain(aliceFirst.body.id);
    // Bob's own request under the same key is a new session of his.
    const bobAgent = await anAgentOf(bob);
    const bobs = await keyed(bob, '/v1/sessions', 'shared-key', { agentId: bobAgent });
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(aliceFirst.body.id);
    expect((await bob.get(`/v1/sessions/${aliceFirst.body.id}`)).status).toBe(404);
  });

  it('refuses a malformed key with a 400 naming the header', async () => {
    for (const key of ['k'.repeat(256), 'caf\u00e9']) {
      const answer = await keyed(alice, '/v1/sessions', key, { agentId: aliceAgent });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringMatching(/^invalid Idempotency-Key header: /),
      });
    }
  });
});

/**
 * The audit's case: Kafka down, the create and the feedback answered 503 (kafkajs keeps retrying
 * their messages, which may land once Kafka is back), then retried with the same keys: one
 * session and one piece of feedback in the end. Without keys, the retries made a second of each.
 */
describe('Idempotency-Key through a Kafka outage', () => {
  let stack: PrivateStack;
  let app: INestApplication;
  let orchestrator: INestApplication;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startPrivateStack({ mongoBackend: 'memory' });
    const onStack = { KAFKA_BROKERS: stack.kafkaBrokers, MONGO_URL: stack.mongoUrl };
    const config = loadGatewayConfig(serviceEnv('gateway', onStack));
    app = await startService(gatewayService, config);
    // The orchestrator shares the gateway's database, as deployed: it reads a session's status.
    orchestrator = await startService(
      orchestratorService,
      loadOrchestratorConfig(
        serviceEnv('orchestrator', {
          ...onStack,
          MONGO_DB: config.mongo.db,
          PLAYBOOK_CATCH_UP_TIMEOUT_MS: '20000',
        }),
      ),
    );
    const key = await createApiKey(config.mongo, uniqueName('tenant'), 'test');
    api = new ApiClient(await baseUrl(app), key.token);
  }, 240_000);

  afterAll(async () => {
    await orchestrator?.close();
    await app?.close();
    await stack?.down();
  }, 120_000);

  /** Retries as a client told to: with its key, until answered `want`. */
  const retry = async (path: string, key: string, body: unknown, want: number) =>
    expectEventually(
      async () => {
        const answer = await keyed(api, path, key, body);
        expect(answer.status).toBe(want);
        return answer.body;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );

  it('cancels a managed session whose run command got no acknowledgement; the keyed retry reopens it and it runs once', async () => {
    const agentId = await anAgentOf(api);
    const body = {
      agentId,
      run: { environment: 'ci-log-triage', task: { caseId: 'assertj_1944' } },
    };

    await stack.stop('kafka');
    let refused: { status: number; body: { error: { type: string; message: string } } };
    let whileDown: { status: string; endReason?: string } | undefined;
    try {
      refused = await keyed(api, '/v1/sessions', 'outage-managed', body);
      const id = /session "(ses_[^"]+)"/.exec(refused.body.error?.message ?? '')?.[1];
      whileDown = id ? (await api.get(`/v1/sessions/${id}`)).body : undefined;
    } finally {
      await stack.start('kafka');
    }
    expect(refused.status).toBe(503);
    expect(refused.body.error.type).toBe('overloaded_error');
    expect(refused.body.error.message).toMatch(
      /; session "ses_[^"]+" is canceled, its run command not acknowledged; retry in 5 s with the same Idempotency-Key to run it$/,
    );
    // Canceled at once, never left running with nothing to run it: its command, should it land
    // late, is skipped by the orchestrator.
    expect(whileDown).toMatchObject({ status: 'canceled', endReason: RUN_NOT_ACKNOWLEDGED });

    // The retry reopens the same session and sends the same command: answered running.
    const created = await retry('/v1/sessions', 'outage-managed', body, 201);
    expect(created).toMatchObject({ status: 'running', source: 'managed', endReason: null });
    expect(refused.body.error.message).toContain(`session "${created.id}"`);

    // It runs, once: one run, started once, its events stored once.
    const ended = await expectEventually(
      async () => {
        const s = (await api.get(`/v1/sessions/${created.id}`)).body;
        expect(s.status).toBe('completed');
        return s;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(ended).toMatchObject({ endReason: null, eventCount: 4 });
    const runs = orchestrator.get<Connection>(getConnectionToken()).collection('runs');
    expect(await runs.findOne({ _id: created.id } as never)).toMatchObject({
      status: 'completed',
      attempts: 1,
    });
    const events = await api.get(`/v1/sessions/${created.id}/events?limit=1000`);
    expect(events.body.data.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4]);
    // Another retry answers the session as it is, sending nothing.
    expect(await keyed(api, '/v1/sessions', 'outage-managed', body)).toMatchObject({
      status: 201,
      body: { id: created.id, status: 'completed' },
    });
    const listed = await api.get(`/v1/sessions?agentId=${agentId}`);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([created.id]);
  }, 360_000);

  it('stores one session and one piece of feedback when 503s are retried with their keys', async () => {
    const agentId = await anAgentOf(api);
    const existing = await api.post('/v1/sessions', { agentId });
    expect(existing.status).toBe(201);
    const createBody = { agentId, title: 'during the outage' };
    const feedbackPath = `/v1/sessions/${existing.body.id}/feedback`;
    const feedbackBody = { rating: 'negative', comment: 'during the outage' };

    await stack.stop('kafka');
    let refused: { status: number; body: { error: { type: string; message: string } } }[];
    try {
      refused = await Promise.all([
        keyed(api, '/v1/sessions', 'outage-create', createBody),
        keyed(api, feedbackPath, 'outage-feedback', feedbackBody),
      ]);
    } finally {
      await stack.start('kafka');
    }
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.body.error.type).toBe('overloaded_error');
      expect(answer.body.error.message).toMatch(
        /may still be applied once Kafka is back; retry in 5 s with the same Idempotency-Key$/,
      );
    }

    // The client retries as told, with its keys, until accepted.
    const created = await retry('/v1/sessions', 'outage-create', createBody, 201);
    const feedback = await retry(feedbackPath, 'outage-feedback', feedbackBody, 202);

    await ingestCaughtUp(api, created.id, 'after-outage');
    const sessions = await api.get(`/v1/sessions?agentId=${agentId}`);
    expect(sessions.body.data.map((s: { id: string }) => s.id).sort()).toEqual(
      [existing.body.id, created.id].sort(),
    );
    expect(await storedFeedback(api, existing.body.id)).toEqual([feedback.id]);
  }, 360_000);
});
