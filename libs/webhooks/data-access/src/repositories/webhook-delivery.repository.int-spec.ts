import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import type { WebhookAttemptRecord } from '../schemas/webhook-delivery.schema';
import { WebhooksDataAccessModule } from '../webhooks-data-access.module';
import { WebhookDeliveryRepository, type NewWebhookDelivery } from './webhook-delivery.repository';
import { WebhookSubscriptionRepository } from './webhook-subscription.repository';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);

function aDelivery(overrides: Partial<NewWebhookDelivery> = {}): NewWebhookDelivery {
  return {
    _id: uniqueName('msg'),
    tenantId: 'acme',
    subscriptionId: 'whk_1',
    eventType: 'dream.completed',
    payload: { type: 'dream.completed', timestamp: T0.toISOString(), data: { dream_id: 'drm_1' } },
    ...overrides,
  };
}

const anAttempt = (statusCode: number, when: Date): WebhookAttemptRecord => ({
  at: when,
  statusCode,
  durationMs: 12,
  errorType: statusCode >= 300 ? 'http_status' : null,
  error: statusCode >= 300 ? `the endpoint answered HTTP ${statusCode}` : null,
});

/** The repositories against the real MongoDB-wire server. */
describe('WebhookDeliveryRepository', () => {
  const db = uniqueName('test_webhooks');
  let context: DataAccessContext;
  let deliveries: WebhookDeliveryRepository;

  beforeAll(async () => {
    context = await startDataAccess(WebhooksDataAccessModule, db);
    deliveries = context.app.get(WebhookDeliveryRepository);
  });
  afterAll(() => context?.close());

  /** Claims a delivery that must be due. */
  const claim = async (now: Date, leaseMs: number) => {
    const claimed = await deliveries.claimDue(now, leaseMs);
    if (!claimed) throw new Error(`nothing was due at ${now.toISOString()}`);
    return claimed;
  };
  // Each test works on its own due deliveries.
  afterEach(() => context.connection.collection('webhook_deliveries').deleteMany({}));

  it('stores a delivery once however often it is enqueued', async () => {
    const d = aDelivery();
    expect(await deliveries.enqueue([d], at(0))).toBe(1);
    expect(await deliveries.enqueue([d, d], at(5))).toBe(0);
    await Promise.all([deliveries.enqueue([d], at(6)), deliveries.enqueue([d], at(7))]);
    expect(await deliveries.findById('acme', d._id)).toMatchObject({
      status: 'pending',
      attempts: [],
      attemptCount: 0,
      nextAttemptAt: at(0),
      createdAt: at(0),
    });
    expect(await deliveries.findById('other-tenant', d._id)).toBeNull();
  });

  it('hands each due delivery to one claimant only, earliest first, and none before it is due', async () => {
    const [a, b] = [aDelivery(), aDelivery()];
    await deliveries.enqueue([a], at(0));
    await deliveries.enqueue([b], at(1));
    expect(await deliveries.claimDue(at(-1), 60_000)).toBeNull();

    const claims = await Promise.all(
      Array.from({ length: 5 }, () => deliveries.claimDue(at(2), 60_000)),
    );
    const won = claims.filter((c) => c !== null);
    expect(won.map((c) => c._id).sort()).toEqual([a._id, b._id].sort());
    expect(new Set(won.map((c) => c.leaseId)).size).toBe(2);
    // Claimed: not due again until the lease runs out.
    expect(await deliveries.claimDue(at(30), 60_000)).toBeNull();
    expect((await deliveries.claimDue(at(62), 60_000))?._id).toBe(a._id);
  });

  it('leaves out the subscriptions and tenants a sender is busy with', async () => {
    const slow = aDelivery({ subscriptionId: 'whk_slow' });
    const other = aDelivery({ subscriptionId: 'whk_other' });
    const otherTenant = aDelivery({ tenantId: 'globex', subscriptionId: 'whk_g' });
    await deliveries.enqueue([slow], at(0));
    await deliveries.enqueue([other, otherTenant], at(1));
    expect((await deliveries.claimDue(at(2), 60_000, { subscriptionIds: ['whk_slow'] }))?._id).toBe(
      other._id,
    );
    expect((await deliveries.claimDue(at(2), 60_000, { tenantIds: ['acme'] }))?._id).toBe(
      otherTenant._id,
    );
    expect(await deliveries.claimDue(at(2), 60_000, { subscriptionIds: ['whk_slow'] })).toBeNull();
    expect((await deliveries.claimDue(at(2), 60_000))?._id).toBe(slow._id);
  });

  it('records an attempt only while the claim holds', async () => {
    const d = aDelivery();
    await deliveries.enqueue([d], at(0));
    const first = await claim(at(0), 10_000);
    // The first sender stalls past its lease; a second one takes the delivery over.
    const second = await claim(at(11), 10_000);
    expect(second.leaseId).not.toBe(first.leaseId);
    expect(await deliveries.recordAttempt(first, anAttempt(500, at(0)), { status: 'failed' })).toBe(
      false,
    );
    expect(
      await deliveries.recordAttempt(second, anAttempt(500, at(11)), {
        status: 'pending',
        nextAttemptAt: at(16),
      }),
    ).toBe(true);
    const third = await claim(at(16), 10_000);
    expect(third.attemptCount).toBe(1);
    await deliveries.recordAttempt(third, anAttempt(200, at(16)), { status: 'succeeded' }, at(17));
    expect(await deliveries.findById('acme', d._id)).toMatchObject({
      status: 'succeeded',
      attemptCount: 2,
      attempts: [anAttempt(500, at(11)), anAttempt(200, at(16))],
      nextAttemptAt: null,
      leaseId: null,
      updatedAt: at(17),
    });
    expect(await deliveries.claimDue(at(100), 10_000)).toBeNull();
  });

  it("lists a subscription's deliveries newest first, by status, and deletes them with it", async () => {
    const mine = [0, 1, 2].map(() => aDelivery({ subscriptionId: 'whk_list' }));
    for (const [i, d] of mine.entries()) await deliveries.enqueue([d], at(i));
    await deliveries.enqueue([aDelivery({ subscriptionId: 'whk_other' })], at(3));
    const claimed = await claim(at(0), 1_000);
    await deliveries.recordAttempt(claimed, anAttempt(200, at(0)), { status: 'succeeded' });

    const all = await deliveries.list({ tenantId: 'acme', subscriptionId: 'whk_list', limit: 2 });
    expect(all.data.map((d) => d._id)).toEqual([mine[2]._id, mine[1]._id]);
    expect(all.hasMore).toBe(true);
    const done = await deliveries.list({
      tenantId: 'acme',
      subscriptionId: 'whk_list',
      status: 'succeeded',
      limit: 10,
    });
    expect(done.data.map((d) => d._id)).toEqual([mine[0]._id]);
    expect(
      (await deliveries.list({ tenantId: 'other', subscriptionId: 'whk_list', limit: 10 })).data,
    ).toEqual([]);

    expect(await deliveries.deleteForSubscription('acme', 'whk_list')).toBe(3);
    expect(
      (await deliveries.list({ tenantId: 'acme', subscriptionId: 'whk_other', limit: 10 })).data,
    ).toHaveLength(1);
  });
});

describe('WebhookSubscriptionRepository', () => {
  const db = uniqueName('test_webhook_subs');
  let context: DataAccessContext;
  let subscriptions: WebhookSubscriptionRepository;

  beforeAll(async () => {
    context = await startDataAccess(WebhooksDataAccessModule, db);
    subscriptions = context.app.get(WebhookSubscriptionRepository);
  });
  afterAll(() => context?.close());

  it('finds the enabled subscriptions of some tenants to some event types', async () => {
    const sub = (id: string, tenantId: string, eventTypes: string[]) =>
      subscriptions.create(
        {
          _id: id,
          tenantId,
          url: `https://example.com/${id}`,
          eventTypes: eventTypes as never,
          description: null,
          secret: 'whsec_c2VjcmV0',
        },
        at(0),
      );
    await sub('whk_a', 'acme', ['dream.completed', 'playbook.updated']);
    await sub('whk_b', 'acme', ['playbook.proposed']);
    await sub('whk_c', 'globex', ['dream.completed']);
    await sub('whk_d', 'acme', ['dream.completed']);
    await subscriptions.disable('acme', 'whk_d', 'the endpoint answered 410 Gone');

    const ids = async (tenants: string[], types: string[]) =>
      (await subscriptions.enabledFor(tenants, types as never)).map((s) => s._id).sort();
    expect(await ids(['acme'], ['dream.completed'])).toEqual(['whk_a']);
    expect(await ids(['acme', 'globex'], ['dream.completed', 'playbook.proposed'])).toEqual([
      'whk_a',
      'whk_b',
      'whk_c',
    ]);
    expect(await ids([], ['dream.completed'])).toEqual([]);
    expect(await subscriptions.findById('acme', 'whk_d')).toMatchObject({
      enabled: false,
      disabledReason: 'the endpoint answered 410 Gone',
    });
    expect(await subscriptions.findById('globex', 'whk_a')).toBeNull();
    expect(await subscriptions.delete('globex', 'whk_a')).toBe(false);
    expect(await subscriptions.delete('acme', 'whk_a')).toBe(true);
    expect((await subscriptions.list('acme')).map((s) => s._id)).toEqual(['whk_d', 'whk_b']);
  });
});
