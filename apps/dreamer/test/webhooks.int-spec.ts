import {
  SCHEMA_VERSION,
  TOPICS,
  type DreamEnded,
  type PlaybookVersionActivated,
  type TopicMessage,
  type TopicName,
} from '@reverie/contracts';
import { createProducer, EventPublisher } from '@reverie/kafka';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { startGroupAtEnd, testKafka, uniqueName } from '@reverie/testing/integration';
import {
  startWebhookReceiver,
  statusSequence,
  type WebhookReceiver,
} from '@reverie/webhooks-feature/testing';
import { WebhookSubscriptionRepository } from '@reverie/webhooks-data-access';
import { generateSecret } from '@reverie/webhooks-domain';
import type { Producer } from 'kafkajs';
// The real gateway (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  startGateway,
  startReplica,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
import { startDreamer, type RunningDreamer } from './dreamer.harness';

// API bodies as the gateway returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A `dream.ended` as the dreamer announces it, with full defaults. */
function aDreamEnded(
  tenantId: string,
  agentId: string,
  payload: Partial<DreamEnded['payload']> = {},
): DreamEnded {
  const dreamId = uniqueName('drm');
  return {
    id: `${dreamId}:ended`,
    type: 'dream.ended',
    tenantId,
    agentId,
    occurredAt: new Date().toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      dreamId,
      status: 'completed',
      environment: 'lunar-lander',
      sessionsReviewed: 20,
      playbooks: [],
      error: null,
      ...payload,
    },
  };
}

describe('webhooks through the real stack (gateway API, Kafka, dreamer, MongoDB, a receiver)', () => {
  let gateway: RunningGateway;
  let dreamer: RunningDreamer;
  let producer: Producer;
  let events: EventPublisher;
  let api: ApiClient;
  const tenantId = uniqueName('webhooks');
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // The receivers listen on 127.0.0.1: allowed, as in development, on both services.
    gateway = await startGateway({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    // Skip what earlier runs left on the shared broker's topics.
    const groupId = uniqueName('test-dreamer-webhooks');
    await startGroupAtEnd(groupId, TOPICS.dreams);
    await startGroupAtEnd(groupId, TOPICS.playbookVersions);
    dreamer = await startDreamer(gateway.config.mongo.db, {
      KAFKA_GROUP_ID: groupId,
      // Retries 200 ms apart instead of minutes, three attempts, no jitter.
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_RETRY_SCHEDULE_MS: '0,200,200',
      WEBHOOK_RETRY_JITTER: '0',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      DREAM_SWEEP_MS: '3600000',
    });
    api = await gateway.tenant(tenantId);
    producer = createProducer(testKafka());
    await producer.connect();
    events = new EventPublisher(producer);
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await dreamer?.close();
    await gateway?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const publish = <T extends TopicName>(topic: T, ...messages: TopicMessage<T>[]) =>
    events.publish(topic, messages);

  /** A receiver answering `statuses` in turn, and a subscription of `client`'s tenant to it. */
  async function subscribe(
    eventTypes: string[],
    statuses: number[] = [200],
    client: ApiClient = api,
  ): Promise<{ receiver: WebhookReceiver; webhook: Json }> {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    receiver.replyWith(statusSequence(...statuses));
    const created = await client.post('/v1/webhooks', {
      url: receiver.url,
      event_types: eventTypes,
      description: `test ${eventTypes.join(' ')}`,
    });
    expect(created.status).toBe(201);
    receiver.useSecret(created.body.secret);
    return { receiver, webhook: created.body };
  }

  const deliveries = async (webhookId: string, query = '', client: ApiClient = api) => {
    const res = await client.get(`/v1/webhooks/${webhookId}/deliveries${query}`);
    expect(res.status).toBe(200);
    return res.body.data as Json[];
  };

  /** Waits until every delivery of the webhook has ended and there are `count` of them. */
  const settled = (webhookId: string, count: number) =>
    expectEventually(
      async () => {
        const data = await deliveries(webhookId);
        if (data.length !== count || data.some((d) => d.status === 'pending'))
          throw new Error(`deliveries: ${JSON.stringify(data.map((d) => d.status))}`);
        return data;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  it('creates, shows, lists and deletes subscriptions; the secret is shown once', async () => {
    const created = await api.post('/v1/webhooks', {
      url: 'https://hooks.example.com/reverie',
      event_types: ['dream.completed', 'playbook.updated'],
      description: 'ops channel',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      type: 'webhook',
      id: expect.stringMatching(/^whk_/),
      url: 'https://hooks.example.com/reverie',
      event_types: ['dream.completed', 'playbook.updated'],
      description: 'ops channel',
      enabled: true,
      disabled_reason: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      created_at: expect.any(String),
    });
    const { secret, ...shown } = created.body;
    expect(secret).toBeTruthy();
    expect((await api.get(`/v1/webhooks/${shown.id}`)).body).toEqual(shown);
    expect((await api.get('/v1/webhooks')).body.data).toContainEqual(shown);

    const bad = await api.post('/v1/webhooks', {
      url: 'ftp://example.com',
      event_types: ['dream.started'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.type).toBe('invalid_request_error');
    expect(bad.body.error.details.map((d: Json) => d.path)).toEqual(['url', 'event_types[0]']);

    const deleted = await api.request('DELETE', `/v1/webhooks/${shown.id}`);
    expect(deleted).toEqual({ status: 200, body: { type: 'webhook_deleted', id: shown.id } });
    const gone = await api.get(`/v1/webhooks/${shown.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.type).toBe('not_found_error');
    expect((await api.request('DELETE', `/v1/webhooks/${shown.id}`)).status).toBe(404);
    expect((await gateway.anonymous.get('/v1/webhooks')).status).toBe(401);

    // Documented from the validating schema.
    const doc = (await gateway.anonymous.get('/docs-json')).body;
    const create = doc.paths['/v1/webhooks'].post;
    expect(create.tags).toEqual(['webhooks']);
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['url', 'event_types']);
    expect(schema.properties.event_types.items.enum).toContain('playbook.proposed');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/webhooks/{id}', '/v1/webhooks/{id}/deliveries']),
    );
  });

  it('keeps tenants apart: another tenant can neither see a subscription nor get its events', async () => {
    const { webhook } = await subscribe(['dream.completed']);
    const other = await gateway.tenant();
    for (const path of [`/v1/webhooks/${webhook.id}`, `/v1/webhooks/${webhook.id}/deliveries`]) {
      const res = await other.get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.type).toBe('not_found_error');
    }
    expect((await other.get('/v1/webhooks')).body.data).toEqual([]);
    expect((await other.request('DELETE', `/v1/webhooks/${webhook.id}`)).status).toBe(404);
    expect((await api.get(`/v1/webhooks/${webhook.id}`)).status).toBe(200);
  });

  it('delivers dream.completed and playbook.proposed signed, only to matching subscriptions of the tenant', async () => {
    const dreams = await subscribe(['dream.completed', 'playbook.proposed']);
    const updates = await subscribe(['playbook.updated']);
    const otherTenant = await subscribe(
      ['dream.completed', 'playbook.proposed'],
      [200],
      await gateway.tenant(),
    );

    const ended = aDreamEnded(tenantId, 'agt_lander', {
      playbooks: [
        { role: 'navigator', version: 3, status: 'proposed' },
        { role: 'commander', version: 2, status: 'active' },
      ],
    });
    await publish(TOPICS.dreams, ended);

    const done = await settled(dreams.webhook.id, 2);
    expect(done.map((d) => [d.event_type, d.status]).sort()).toEqual([
      ['dream.completed', 'succeeded'],
      ['playbook.proposed', 'succeeded'],
    ]);
    const received = dreams.receiver.received;
    expect(received.map((r) => r.verified)).toEqual([true, true]);
    const ofType = (type: string) => {
      const found = received.find((r) => r.payload?.type === type);
      if (!found) throw new Error(`no ${type} received`);
      return found;
    };
    const completed = ofType('dream.completed');
    expect(completed.payload).toEqual({
      type: 'dream.completed',
      timestamp: ended.occurredAt,
      data: {
        dream_id: ended.payload.dreamId,
        agent_id: 'agt_lander',
        status: 'completed',
        environment: 'lunar-lander',
        sessions_reviewed: 20,
        outputs: [
          { type: 'playbook', role: 'navigator', version: 3, status: 'proposed' },
          { type: 'playbook', role: 'commander', version: 2, status: 'active' },
        ],
        error: null,
      },
    });
    expect(completed.body).not.toContain(tenantId);
    expect(ofType('playbook.proposed').payload?.data).toEqual({
      agent_id: 'agt_lander',
      role: 'navigator',
      version: 3,
      status: 'proposed',
      dream_id: ended.payload.dreamId,
    });
    // The delivery shows its attempt: the receiver's status, never what its body said.
    const delivery = done.find((d) => d.event_type === 'dream.completed');
    expect(delivery).toMatchObject({
      type: 'webhook_delivery',
      id: completed.id,
      webhook_id: dreams.webhook.id,
      payload: completed.payload,
      attempt_count: 1,
      attempts: [{ status_code: 200, error_type: null, error: null }],
      next_attempt_at: null,
    });
    expect(Object.keys(delivery.attempts[0]).sort()).toEqual([
      'at',
      'duration_ms',
      'error',
      'error_type',
      'status_code',
    ]);

    // Fan-out is one write per message: the others were decided with these.
    expect(await deliveries(updates.webhook.id)).toEqual([]);
    expect(updates.receiver.received).toEqual([]);
    expect(otherTenant.receiver.received).toEqual([]);

    // A new active playbook version reaches the playbook.updated subscription only.
    const activated: PlaybookVersionActivated = {
      id: `pbk_agt_lander.navigator:v4:${uniqueName('activated')}`,
      type: 'playbook.version_activated',
      tenantId,
      agentId: 'agt_lander',
      occurredAt: new Date().toISOString(),
      schemaVersion: SCHEMA_VERSION,
      payload: {
        playbookId: 'pbk_agt_lander.navigator',
        role: 'navigator',
        version: 4,
        entries: [],
      },
    };
    await publish(TOPICS.playbookVersions, activated);
    const [update] = await settled(updates.webhook.id, 1);
    expect(update).toMatchObject({ event_type: 'playbook.updated', status: 'succeeded' });
    expect(updates.receiver.received[0]).toMatchObject({
      verified: true,
      payload: {
        type: 'playbook.updated',
        data: { agent_id: 'agt_lander', role: 'navigator', version: 4, status: 'active' },
      },
    });
    expect(dreams.receiver.received).toHaveLength(2);
  });

  it('retries after a failing receiver: 500, 500, then 200 makes three recorded attempts', async () => {
    const { receiver, webhook } = await subscribe(['dream.failed'], [500, 500, 200]);
    await publish(
      TOPICS.dreams,
      aDreamEnded(tenantId, 'agt_retry', {
        status: 'failed',
        error: { type: 'interrupted', message: 'the dreamer stopped twice' },
      }),
    );
    const [delivery] = await settled(webhook.id, 1);
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 3 });
    expect(delivery.attempts.map((a: Json) => [a.status_code, a.error])).toEqual([
      [500, 'the endpoint answered HTTP 500'],
      [500, 'the endpoint answered HTTP 500'],
      [200, null],
    ]);
    // What the receiver wrote back ("answer 1: 500") is not kept.
    expect(JSON.stringify(delivery)).not.toContain('answer 1');
    // Every attempt verified, under one webhook-id.
    expect(receiver.received.map((r) => [r.verified, r.id])).toEqual([
      [true, delivery.id],
      [true, delivery.id],
      [true, delivery.id],
    ]);
    expect(receiver.received[0].payload?.data).toMatchObject({
      status: 'failed',
      error: { type: 'interrupted', message: 'the dreamer stopped twice' },
    });
  });

  it('fails a delivery whose receiver keeps failing, after the last attempt', async () => {
    const { receiver, webhook } = await subscribe(['dream.canceled'], [503]);
    await publish(TOPICS.dreams, aDreamEnded(tenantId, 'agt_fail', { status: 'canceled' }));
    const [delivery] = await settled(webhook.id, 1);
    expect(delivery).toMatchObject({ status: 'failed', attempt_count: 3, next_attempt_at: null });
    expect(delivery.attempts.map((a: Json) => a.status_code)).toEqual([503, 503, 503]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(await deliveries(webhook.id, '?status=failed')).toHaveLength(1);
    expect(await deliveries(webhook.id, '?status=succeeded')).toEqual([]);
  });

  it('makes one delivery of a Kafka message delivered twice', async () => {
    const { receiver, webhook } = await subscribe(['dream.completed']);
    const agentId = uniqueName('agt');
    const once = aDreamEnded(tenantId, agentId);
    await publish(TOPICS.dreams, once);
    await publish(TOPICS.dreams, once);
    // Same agent, same partition: once this one is delivered, both copies have been consumed.
    await publish(TOPICS.dreams, aDreamEnded(tenantId, agentId));
    const data = await settled(webhook.id, 2);
    expect(data.map((d) => d.payload.data.dream_id)).toContain(once.payload.dreamId);
    const ids = receiver.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(2);
  });

  it('refuses internal addresses at registration, and without the allow-list 127.0.0.1 too', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://10.0.0.8/hooks',
      'http://127.0.0.2:9000/hooks',
      'http://[::ffff:192.168.1.1]/hooks',
      'http://localhost:9000/hooks',
    ]) {
      const refused = await api.post('/v1/webhooks', { url, event_types: ['dream.completed'] });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([
        { path: 'url', message: expect.stringMatching(/^must not point at .*: it is /) },
      ]);
    }
    // A gateway without WEBHOOK_ALLOWED_HOSTS, as in production, refuses the receivers' address.
    const strict = await startReplica(gateway.config, {
      ingestEnabled: false,
      webhookAllowedHosts: [],
    });
    try {
      const client = await strict.tenant(tenantId);
      const refused = await client.post('/v1/webhooks', {
        url: 'http://127.0.0.1:9000/hooks',
        event_types: ['dream.completed'],
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toBe(
        'invalid webhook: url must not point at 127.0.0.1: it is a loopback address (127.0.0.0/8); ' +
          'webhooks go only to public addresses (for local development, list the host in ' +
          'WEBHOOK_ALLOWED_HOSTS on the gateway and the dreamer)',
      );
      expect((await client.get('/v1/webhooks')).body.data.map((w: Json) => w.url)).not.toContain(
        'http://127.0.0.1:9000/hooks',
      );
    } finally {
      await strict.close();
    }
  });

  it('refuses an internal address again at delivery: a subscription stored past the API is never sent to', async () => {
    // A receiver on 127.0.0.2 (loopback, not on the allow-list), subscribed by writing straight
    // to MongoDB as an old or tampered record would be.
    const receiver = await startWebhookReceiver({ host: '127.0.0.2' });
    receivers.push(receiver);
    const secret = generateSecret();
    receiver.useSecret(secret);
    const sub = await gateway.app.get(WebhookSubscriptionRepository).create({
      _id: uniqueName('whk'),
      tenantId,
      url: receiver.url,
      eventTypes: ['dream.completed'],
      description: 'stored past the API',
      secret,
    });
    await publish(TOPICS.dreams, aDreamEnded(tenantId, uniqueName('agt')));
    const [delivery] = await settled(sub._id, 1);
    expect(delivery).toMatchObject({ status: 'failed', attempt_count: 3 });
    expect(delivery.attempts[0]).toMatchObject({
      status_code: null,
      error_type: 'address_refused',
      error: expect.stringContaining('must not point at 127.0.0.2: it is a loopback address'),
    });
    expect(receiver.received).toEqual([]);
  });
});
