import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { startService } from '@reverie/service-kit';
import { ApiClient, expectEventually } from '@reverie/testing';
import { serviceEnv, startPrivateStack, type PrivateStack } from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
// The real gateway takes the keyed requests (tests only; apps share no code). Here, not in the
// gateway's tests: the orchestrator's tests already build on the gateway's, and the other way
// round would make the two apps' builds depend on each other.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadGatewayConfig } from '../../session-gateway/src/config/gateway.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  anAgentOf,
  ingestCaughtUp,
  keyed,
  startReplica,
  storedFeedback,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
import { service as orchestratorService } from '../src/app.module';
import { loadConfig as loadOrchestratorConfig } from '../src/config/orchestrator.config';

/**
 * The audit's case: Kafka down, the create and the feedback answered 503 (kafkajs keeps retrying
 * their messages, which may land once Kafka is back), then retried with the same keys: one
 * session and one piece of feedback in the end. Without keys, the retries made a second of each.
 */
describe('Idempotency-Key through a Kafka outage', () => {
  let stack: PrivateStack;
  let gateway: RunningGateway;
  let orchestrator: INestApplication;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startPrivateStack({ mongoBackend: 'memory' });
    const onStack = { KAFKA_BROKERS: stack.kafkaBrokers, MONGO_URL: stack.mongoUrl };
    const config = loadGatewayConfig(serviceEnv('gateway', onStack));
    gateway = await startReplica(config);
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
    api = await gateway.tenant();
  }, 240_000);

  afterAll(async () => {
    await orchestrator?.close();
    await gateway?.close();
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
    expect(whileDown).toMatchObject({
      status: 'canceled',
      endReason: expect.stringMatching(/^the run command was not acknowledged/),
    });

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

  it("cancels a batch's sessions whose run commands got no acknowledgement; the keyed retry runs each task once", async () => {
    const agentId = await anAgentOf(api);
    const task = { caseId: 'assertj_1944' };
    const body = { agentId, run: { environment: 'ci-log-triage' }, tasks: [task, task, task] };

    await stack.stop('kafka');
    let refused: { status: number; body: { error: { type: string; message: string } } };
    let whileDown: { sessions: { status: string }[] } | undefined;
    try {
      refused = await keyed(api, '/v1/batches', 'outage-batch', body);
      const id = /batch "(bat_[^"]+)"/.exec(refused.body.error?.message ?? '')?.[1];
      whileDown = id ? (await api.get(`/v1/batches/${id}`)).body : undefined;
    } finally {
      await stack.start('kafka');
    }
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toMatch(
      /; the sessions of batch "bat_[^"]+" whose run commands were not acknowledged are canceled; retry in 5 s with the same Idempotency-Key to run them$/,
    );
    expect(whileDown?.sessions.map((s) => s.status)).toEqual(['canceled', 'canceled', 'canceled']);

    const created = await retry('/v1/batches', 'outage-batch', body, 201);
    expect(refused.body.error.message).toContain(`batch "${created.id}"`);
    expect(created.sessions.map((s: { status: string }) => s.status)).toEqual([
      'running',
      'running',
      'running',
    ]);
    const done = await expectEventually(
      async () => {
        const b = (await api.get(`/v1/batches/${created.id}`)).body;
        expect(b.sessions.map((s: { status: string }) => s.status)).toEqual([
          'completed',
          'completed',
          'completed',
        ]);
        return b;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const runs = orchestrator.get<Connection>(getConnectionToken()).collection('runs');
    for (const s of done.sessions as { id: string }[]) {
      expect(await runs.findOne({ _id: s.id } as never)).toMatchObject({ attempts: 1 });
    }
    // One batch; another retry answers it as it is.
    const again = await keyed(api, '/v1/batches', 'outage-batch', body);
    expect(again).toMatchObject({ status: 201, body: { id: created.id } });
    const listed = await api.get(`/v1/batches?agentId=${agentId}`);
    expect(listed.body.data.map((b: { id: string }) => b.id)).toEqual([created.id]);
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
