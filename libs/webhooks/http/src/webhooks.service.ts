import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@reverie/contracts';
import { conflict, notFound, parseOrThrow } from '@reverie/http';
import {
  WebhookDeliveryRepository,
  WebhookSubscriptionRepository,
  type WebhookDeliveryRecord,
  type WebhookSubscriptionRecord,
} from '@reverie/webhooks-data-access';
import { generateSecret, webhookNetworkPolicy } from '@reverie/webhooks-domain';
import {
  createWebhookSchemaFor,
  listWebhookDeliveriesQuerySchema,
  listWebhooksQuerySchema,
  MAX_WEBHOOKS_PER_TENANT,
} from './webhook-requests';
import { WEBHOOKS_HTTP_OPTIONS, type WebhooksHttpOptions } from './webhooks-http.options';

/**
 * Webhook subscriptions over HTTP: the gateway stores them (with a new signing secret) and shows
 * their deliveries; the dreamer sends the deliveries.
 */
@Injectable()
export class WebhooksService {
  /** The create schema under the gateway's network policy (no internal targets by default). */
  private readonly createSchema: ReturnType<typeof createWebhookSchemaFor>;

  constructor(
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    @Inject(WEBHOOKS_HTTP_OPTIONS) options: WebhooksHttpOptions,
  ) {
    this.createSchema = createWebhookSchemaFor(webhookNetworkPolicy(options.allowedHosts ?? []));
  }

  async create(tenantId: string, body: unknown): Promise<WebhookSubscriptionRecord> {
    const req = parseOrThrow(this.createSchema, body, 'webhook');
    if ((await this.subscriptions.count(tenantId)) >= MAX_WEBHOOKS_PER_TENANT)
      throw conflict(
        `this tenant already has ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one with DELETE /v1/webhooks/:id, or subscribe an existing one to more event types`,
      );
    return this.subscriptions.create({
      _id: newId('whk'),
      tenantId,
      url: req.url,
      eventTypes: req.event_types,
      description: req.description ?? null,
      secret: generateSecret(),
    });
  }

  /** Every subscription: none of the listing's parameters exist, so any given is a 400. */
  list(tenantId: string, query: unknown = {}): Promise<WebhookSubscriptionRecord[]> {
    parseOrThrow(listWebhooksQuerySchema, query, 'query', 'query');
    return this.subscriptions.list(tenantId, MAX_WEBHOOKS_PER_TENANT);
  }

  async get(tenantId: string, id: string): Promise<WebhookSubscriptionRecord> {
    const subscription = await this.subscriptions.findById(tenantId, id);
    if (!subscription)
      throw notFound(`webhook "${id}" not found; list webhooks with GET /v1/webhooks`);
    return subscription;
  }

  /** Removes the subscription and its delivery records; nothing more is sent to it. */
  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.subscriptions.delete(tenantId, id)))
      throw notFound(`webhook "${id}" not found; list webhooks with GET /v1/webhooks`);
    await this.deliveries.deleteForSubscription(tenantId, id);
  }

  async deliveriesOf(
    tenantId: string,
    id: string,
    query: unknown,
  ): Promise<{ data: WebhookDeliveryRecord[]; hasMore: boolean }> {
    const q = parseOrThrow(listWebhookDeliveriesQuerySchema, query, 'query', 'query');
    await this.get(tenantId, id);
    return this.deliveries.list({
      tenantId,
      subscriptionId: id,
      status: q.status,
      limit: q.limit,
    });
  }
}
