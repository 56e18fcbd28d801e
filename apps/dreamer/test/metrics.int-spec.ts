import { TOPICS } from '@reverie/contracts';
import { METRIC } from '@reverie/telemetry';
import { anAgent, expectEventually, type ApiClient, type Json } from '@reverie/testing';
import { baseUrl, testKafka, uniqueName } from '@reverie/testing/integration';
import { startWebhookReceiver, type WebhookReceiver } from '@reverie/webhooks-feature/testing';
import type { INestApplication } from '@nestjs/common';
// The four real services (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGrader, type RunningGrader } from '../../outcome-grader/test/grader.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  dropDatabase,
  orchestratorEnv,
  startOrchestrator,
  type RunningOrchestrator,
} from '../../orchestrator/test/orchestrator.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
import { startDreamer, type RunningDreamer } from './dreamer.harness';

/** One scrape of a service's `/metrics`, as Prometheus reads it. */
class Scrape {
  constructor(readonly text: string) {}

  /** Sum of the samples of `name` whose labels include `labels`. */
  value(name: string, labels: Record<string, string> = {}): number {
    let sum = 0;
    for (const line of this.text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const have = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
    }
    return sum;
  }

  has(name: string, labels: Record<string, string> = {}): boolean {
    return this.text
      .split('\n')
      .some(
        (line) =>
          line.startsWith(`${name}{`) &&
          Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)),
      );
  }
}

async function scrape(app: INestApplication): Promise<Scrape> {
  const res = await fetch(`${await baseUrl(app)}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
  return new Scrape(await res.text());
}

const CASE = 'assertj_1944';

describe('/metrics on every service after a managed session and a dream (real stack)', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let grader: RunningGrader;
  let dreamer: RunningDreamer;
  let receiver: WebhookReceiver;
  let api: ApiClient;

  beforeAll(async () => {
    gateway = await startGateway({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    orchestrator = await startOrchestrator(await orchestratorEnv());
    grader = await startGrader(gateway.config.mongo.db);
    dreamer = await startDreamer(gateway.config.mongo.db, {
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      DREAM_SWEEP_MS: '3600000',
    });
    receiver = await startWebhookReceiver();
    api = await gateway.tenant(uniqueName('metrics'));
  }, 180_000);

  afterAll(async () => {
    await dreamer?.close();
    await grader?.close();
    if (orchestrator) {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
    await gateway?.close();
    await receiver?.close();
  });

  it('moves the HTTP, ingest, lag, dead-letter, session, grade, dream and webhook metrics', async () => {
    const services = () => ({
      gateway: gateway.app,
      orchestrator: orchestrator.app,
      grader: grader.app,
      dreamer: dreamer.app,
    });
    const before = Object.fromEntries(
      await Promise.all(
        Object.entries(services()).map(async ([name, app]) => [name, await scrape(app)] as const),
      ),
    ) as Record<keyof ReturnType<typeof services>, Scrape>;

    // A builtin triage agent with a rubric, a webhook for its dreams, one managed session.
    const agent = await api.post('/v1/agents', anAgent({ model: { provider: 'builtin' } }));
    expect(agent.status).toBe(201);
    const agentId: string = agent.body.id;
    const defined = await api.put(`/v1/agents/${agentId}/outcome`, {
      description: 'Point at the lines that explain the failure',
      environment: 'ci-log-triage',
      maxIterations: 1,
      criteria: [{ id: 'recall', kind: 'label_match', metric: 'recall', min: 0.5, required: true }],
    });
    expect(defined.status).toBe(200);
    const webhook = await api.post('/v1/webhooks', {
      url: receiver.url,
      event_types: ['dream.completed', 'dream.failed'],
    });
    expect(webhook.status).toBe(201);
    receiver.useSecret(webhook.body.secret);

    const session = await api.post('/v1/sessions', {
      agentId,
      run: { environment: 'ci-log-triage', task: { caseId: CASE } },
    });
    expect(session.status).toBe(201);
    const outcome = await expectEventually(
      async () => {
        const got = (await api.get(`/v1/sessions/${session.body.id}/outcome`)).body;
        if (!got?.result) throw new Error('not graded yet');
        return got as Json;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );

    // A dream over that session, and its webhook.
    const requested = await api.post('/v1/dreams', { agent_id: agentId });
    expect(requested.status).toBe(201);
    const dream: Json = await expectEventually(
      async () => {
        const d = (await api.get(`/v1/dreams/${requested.body.id}`)).body;
        if (!['completed', 'failed', 'canceled'].includes(d.status))
          throw new Error(`dream is ${d.status}`);
        return d;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    await expectEventually(() => expect(receiver.received.length).toBeGreaterThan(0), {
      timeoutMs: 30_000,
    });

    // A message that breaks the session topic's contract: the gateway's ingest dead-letters it.
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.sessionEvents,
      messages: [{ key: 'poison', value: '{"not":"an envelope"}' }],
    });
    await producer.disconnect();

    const after = await expectEventually(
      async () => {
        const now = {
          gateway: await scrape(gateway.app),
          orchestrator: await scrape(orchestrator.app),
          grader: await scrape(grader.app),
          dreamer: await scrape(dreamer.app),
        };
        expect(
          now.gateway.value(METRIC.deadLettered, { topic: TOPICS.sessionEvents }) -
            before.gateway.value(METRIC.deadLettered, { topic: TOPICS.sessionEvents }),
        ).toBe(1);
        expect(
          now.dreamer.value(METRIC.webhookDeliveries, { outcome: 'succeeded' }),
        ).toBeGreaterThan(before.dreamer.value(METRIC.webhookDeliveries, { outcome: 'succeeded' }));
        return now;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const moved = (
      service: keyof typeof after,
      name: string,
      labels: Record<string, string> = {},
    ) => after[service].value(name, labels) - before[service].value(name, labels);

    // Gateway: the API calls by route template and status, with latency; the events it stored.
    expect(
      moved('gateway', METRIC.httpRequests, {
        route: '/v1/sessions',
        method: 'POST',
        status: '201',
      }),
    ).toBe(1);
    expect(
      moved('gateway', METRIC.httpRequests, { route: '/v1/dreams', method: 'POST', status: '201' }),
    ).toBe(1);
    expect(
      moved('gateway', `${METRIC.httpDuration}_count`, { route: '/v1/dreams/:id', method: 'GET' }),
    ).toBeGreaterThan(0);
    expect(moved('gateway', METRIC.eventsIngested)).toBeGreaterThan(0);
    // Lag per topic and partition of the gateway's group, read from Kafka at scrape time.
    expect(
      after.gateway.has(METRIC.consumerLag, {
        group: gateway.config.kafka.groupId,
        topic: TOPICS.sessionEvents,
        partition: '0',
      }),
    ).toBe(true);
    // Orchestrator: the managed session, by environment and status.
    expect(moved('orchestrator', METRIC.sessionsRun, { environment: 'ci-log-triage' })).toBe(1);
    expect(
      moved('orchestrator', METRIC.messagesHandled, { topic: TOPICS.runCommands }),
    ).toBeGreaterThan(0);
    // Grader: the verdict, by result.
    expect(moved('grader', METRIC.grades, { result: outcome.result })).toBe(1);
    // Dreamer: the dream by status with its duration, simulations and tokens as the API reports them.
    expect(moved('dreamer', METRIC.dreams, { status: dream.status })).toBe(1);
    expect(moved('dreamer', `${METRIC.dreamDuration}_count`, { status: dream.status })).toBe(1);
    expect(moved('dreamer', METRIC.dreamSimulations)).toBe(dream.simulations ?? 0);
    const tokens = Object.values((dream.usage ?? {}) as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(moved('dreamer', METRIC.dreamTokens)).toBe(tokens);
    // Every service: default process metrics.
    for (const scrapeOf of Object.values(after))
      expect(scrapeOf.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  }, 400_000);
});
