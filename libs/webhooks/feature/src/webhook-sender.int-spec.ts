import { SCHEMA_VERSION, type DreamEnded } from '@reverie/contracts';
import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import {
  WebhookDeliveryRepository,
  WebhookSubscriptionRepository,
} from '@reverie/webhooks-data-access';
import { expectEventually } from '@reverie/testing';
import { generateSecret, type WebhookEventType } from '@reverie/webhooks-domain';
import { heldReply, startWebhookReceiver, statusSequence, type WebhookReceiver } from './testing';
import { WebhookDeliveryModule } from './webhook-delivery.module';
import type { Clock, WebhookDeliveryOptions } from './webhook-delivery.options';
import { WebhookFanout } from './webhook-fanout.service';
import { WebhookSender } from './webhook-sender.service';

/** A clock the test moves forward; it starts at the real time so receivers accept timestamps. */
class TestClock implements Clock {
  private t = Date.now();
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
  reset() {
    this.t = Date.now();
  }
}

function aDreamEnded(tenantId: string, occurredAt: Date): DreamEnded {
  const dreamId = uniqueName('drm');
  return {
    id: `${dreamId}:ended`,
    type: 'dream.ended',
    tenantId,
    agentId: 'agt_1',
    occurredAt: occurredAt.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      dreamId,
      status: 'completed',
      environment: 'ci-log-triage',
      sessionsReviewed: 3,
      playbooks: [],
      error: null,
    },
  };
}

/**
 * The sender against the real MongoDB-wire server and a real local receiver, driven by the
 * injected clock: retries minutes apart take no real time.
 */
describe('WebhookSender', () => {
  const clock = new TestClock();
  let context: DataAccessContext;
  let fanout: WebhookFanout;
  let sender: WebhookSender;
  let subscriptions: WebhookSubscriptionRepository;
  let deliveries: WebhookDeliveryRepository;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    context = await startDataAccess(
      WebhookDeliveryModule.register({
        pollMs: 0,
        timeoutMs: 2_000,
        maxAttempts: 3,
        retryScheduleMs: [0, 60_000, 120_000],
        jitter: 0,
        // The receivers listen on 127.0.0.1, as in development.
        allowedHosts: ['127.0.0.1'],
        clock,
      }),
      uniqueName('test_webhook_sender'),
    );
    fanout = context.app.get(WebhookFanout);
    sender = context.app.get(WebhookSender);
    subscriptions = context.app.get(WebhookSubscriptionRepository);
    deliveries = context.app.get(WebhookDeliveryRepository);
  });
  // Receivers check timestamps against the real time: each test starts there.
  beforeEach(() => clock.reset());
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await context?.close();
  });

  /** A tenant with one subscription whose receiver answers `statuses` in turn. */
  async function subscribed(
    statuses: number[],
    eventTypes: WebhookEventType[] = ['dream.completed'],
  ) {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    receiver.replyWith(statusSequence(...statuses));
    const secret = generateSecret();
    receiver.useSecret(secret);
    const tenantId = uniqueName('tenant');
    const sub = await subscriptions.create(
      {
        _id: uniqueName('whk'),
        tenantId,
        url: receiver.url,
        eventTypes,
        description: null,
        secret,
      },
      clock.now(),
    );
    return { receiver, tenantId, sub };
  }

  const deliveryOf = async (tenantId: string, subscriptionId: string) =>
    (await deliveries.list({ tenantId, subscriptionId, limit: 10 })).data;

  it('retries on the schedule until the receiver answers 2xx, recording each attempt', async () => {
    const { receiver, tenantId, sub } = await subscribed([500, 503, 200]);
    expect(await fanout.enqueue([aDreamEnded(tenantId, clock.now())])).toBe(1);

    expect(await sender.deliverDue()).toBe(1);
    let [d] = await deliveryOf(tenantId, sub._id);
    expect(d).toMatchObject({ status: 'pending', attemptCount: 1 });
    expect(
      new Date(d.nextAttemptAt ?? 0).getTime() - d.attempts[0].at.getTime(),
    ).toBeGreaterThanOrEqual(60_000);

    clock.advance(30_000);
    expect(await sender.deliverDue()).toBe(0);
    clock.advance(31_000);
    expect(await sender.deliverDue()).toBe(1);
    clock.advance(121_000);
    expect(await sender.deliverDue()).toBe(1);

    [d] = await deliveryOf(tenantId, sub._id);
    expect(d.status).toBe('succeeded');
    // The status, in our words; never what the receiver wrote in its body.
    expect(d.attempts.map((a) => [a.statusCode, a.errorType, a.error])).toEqual([
      [500, 'http_status', 'the endpoint answered HTTP 500'],
      [503, 'http_status', 'the endpoint answered HTTP 503'],
      [200, null, null],
    ]);
    expect(JSON.stringify(d)).not.toContain('answer 1');
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    // One webhook-id across the retries, a new timestamp for each attempt.
    expect(new Set(receiver.received.map((r) => r.id))).toEqual(new Set([d._id]));
    expect(new Set(receiver.received.map((r) => r.headers['webhook-timestamp'])).size).toBe(3);
  });

  it('fails a delivery after the last attempt', async () => {
    const { receiver, tenantId, sub } = await subscribed([500]);
    await fanout.enqueue([aDreamEnded(tenantId, clock.now())]);
    for (let i = 0; i < 3; i++) {
      await sender.deliverDue();
      clock.advance(121_000);
    }
    expect(await sender.deliverDue()).toBe(0);
    const [d] = await deliveryOf(tenantId, sub._id);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 3, nextAttemptAt: null });
    expect(receiver.received.map((r) => [r.verified, r.status])).toEqual([
      [true, 500],
      [true, 500],
      [true, 500],
    ]);
  });

  it('records a receiver that is not there, and a 410 Gone turns the subscription off', async () => {
    const gone = await subscribed([410]);
    await gone.receiver.close();
    await fanout.enqueue([aDreamEnded(gone.tenantId, clock.now())]);
    await sender.deliverDue();
    let [d] = await deliveryOf(gone.tenantId, gone.sub._id);
    expect(d.attempts[0]).toMatchObject({
      statusCode: null,
      errorType: 'connection_refused',
      error: expect.stringMatching(/ECONNREFUSED/),
    });

    const answered = await subscribed([410]);
    await fanout.enqueue([aDreamEnded(answered.tenantId, clock.now())]);
    await sender.deliverDue();
    [d] = await deliveryOf(answered.tenantId, answered.sub._id);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 1 });
    expect(answered.receiver.received[0].verified).toBe(true);
    expect(await subscriptions.findById(answered.tenantId, answered.sub._id)).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('410 Gone'),
    });
    // Turned off: later events are not enqueued for it.
    expect(await fanout.enqueue([aDreamEnded(answered.tenantId, clock.now())])).toBe(0);
  });

  it('does not send a subscription events from before it existed', async () => {
    const { tenantId } = await subscribed([200]);
    const longAgo = new Date(clock.now().getTime() - 3_600_000);
    expect(await fanout.enqueue([aDreamEnded(tenantId, longAgo)])).toBe(0);
  });
});

/** A sender with its own module, its own database, and one receiver per subscription. */
async function senderWith(options: Partial<WebhookDeliveryOptions>, db: string) {
  const context = await startDataAccess(
    WebhookDeliveryModule.register({
      pollMs: 0,
      timeoutMs: 2_000,
      maxAttempts: 3,
      retryScheduleMs: [0, 60_000, 120_000],
      jitter: 0,
      ...options,
    }),
    uniqueName(db),
  );
  const receivers: WebhookReceiver[] = [];
  const subscriptions = context.app.get(WebhookSubscriptionRepository);
  const deliveries = context.app.get(WebhookDeliveryRepository);
  return {
    fanout: context.app.get(WebhookFanout),
    sender: context.app.get(WebhookSender),
    deliveries,
    /** A new tenant subscribed to dream.completed at `url` (default: a new local receiver). */
    async subscribed(url?: string) {
      const receiver = await startWebhookReceiver();
      receivers.push(receiver);
      const secret = generateSecret();
      receiver.useSecret(secret);
      const tenantId = uniqueName('tenant');
      const sub = await subscriptions.create({
        _id: uniqueName('whk'),
        tenantId,
        url: url ?? receiver.url,
        eventTypes: ['dream.completed'],
        description: null,
        secret,
      });
      const delivery = async () =>
        (await deliveries.list({ tenantId, subscriptionId: sub._id, limit: 1 })).data[0];
      return { receiver, tenantId, sub, delivery };
    },
    close: async () => {
      await Promise.all(receivers.map((r) => r.close()));
      await context.close();
    },
  };
}

describe('WebhookSender with a receiver that stalls', () => {
  let s: Awaited<ReturnType<typeof senderWith>>;
  const releases: Array<() => void> = [];
  beforeAll(async () => {
    // Far longer than the test: the stalled attempt can only end when the test releases it.
    s = await senderWith({ timeoutMs: 60_000, allowedHosts: ['127.0.0.1'] }, 'test_webhook_stall');
  });
  afterAll(async () => {
    releases.forEach((release) => release());
    await s?.sender.idle();
    await s?.close();
  });

  it("sends other subscriptions' deliveries while a stalled one is still waiting", async () => {
    const slow = await s.subscribed();
    const held = heldReply();
    releases.push(held.release);
    slow.receiver.replyWith(held.reply);
    const others = [await s.subscribed(), await s.subscribed()];

    // The production path: enqueue, then kick the background sender.
    await s.fanout.enqueue([aDreamEnded(slow.tenantId, new Date())]);
    s.sender.kick();
    await expectEventually(() => expect(slow.receiver.received).toHaveLength(1));

    // A second event for the stalled subscription, and one for each other tenant.
    await s.fanout.enqueue([aDreamEnded(slow.tenantId, new Date())]);
    for (const o of others) await s.fanout.enqueue([aDreamEnded(o.tenantId, new Date())]);
    s.sender.kick();
    for (const o of others)
      await expectEventually(async () => {
        expect(o.receiver.received.map((r) => [r.verified, r.state])).toEqual([[true, 'answered']]);
        expect(await o.delivery()).toMatchObject({ status: 'succeeded', attemptCount: 1 });
      });
    // All that while the stalled request is still open, its delivery waiting.
    expect(slow.receiver.received[0].state).toBe('waiting');
    expect(await slow.delivery()).toMatchObject({ status: 'pending', attemptCount: 0 });

    held.release();
    await expectEventually(async () => {
      const [latest, first] = (
        await s.deliveries.list({ tenantId: slow.tenantId, subscriptionId: slow.sub._id, limit: 2 })
      ).data;
      expect([first?.status, latest?.status]).toEqual(['succeeded', 'succeeded']);
    });
  }, 30_000);
});

describe('WebhookSender without the allow-list', () => {
  let s: Awaited<ReturnType<typeof senderWith>>;
  beforeAll(async () => {
    s = await senderWith(
      {
        // A name that resolves to loopback, as a rebinding attacker's would.
        resolve: async (host) => (host === 'rebind.example.test' ? ['127.0.0.1'] : []),
      },
      'test_webhook_ssrf',
    );
  });
  afterAll(() => s?.close());

  it('refuses internal addresses at delivery, literal or resolved, and sends nothing', async () => {
    const literal = await s.subscribed();
    const port = new URL(literal.receiver.url).port;
    const named = await s.subscribed(`http://rebind.example.test:${port}/hooks`);
    for (const target of [literal, named])
      await s.fanout.enqueue([aDreamEnded(target.tenantId, new Date())]);
    expect(await s.sender.deliverDue()).toBe(2);

    for (const target of [literal, named]) {
      expect(await target.delivery()).toMatchObject({
        status: 'pending',
        attempts: [
          {
            statusCode: null,
            errorType: 'address_refused',
            error: expect.stringContaining('it is a loopback address'),
          },
        ],
      });
      expect(target.receiver.received).toEqual([]);
    }
    expect((await named.delivery()).attempts[0].error).toContain(
      'rebind.example.test (resolved to 127.0.0.1)',
    );
  });
});
