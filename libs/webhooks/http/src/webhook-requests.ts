import { WEBHOOK_DELIVERY_STATUSES } from '@reverie/webhooks-data-access';
import {
  STRICT_NETWORK_POLICY,
  WEBHOOK_EVENT_TYPES,
  webhookUrlProblem,
  type WebhookNetworkPolicy,
} from '@reverie/webhooks-domain';
import { z } from 'zod';

export const MAX_WEBHOOK_URL_LENGTH = 2_048;
export const MAX_WEBHOOK_DESCRIPTION = 512;
/** Subscriptions one tenant may have (GET /v1/webhooks lists them all). */
export const MAX_WEBHOOKS_PER_TENANT = 100;

/**
 * A webhook URL: absolute http(s), no credentials, and not aimed at an internal address or name
 * (unless `policy`, the development allow-list, opens it). Names are resolved and checked again
 * at every delivery.
 */
const webhookUrlSchema = (policy: WebhookNetworkPolicy) =>
  z
    .string({ error: 'must be a URL such as https://example.com/hooks/reverie' })
    .max(MAX_WEBHOOK_URL_LENGTH)
    .superRefine((value, ctx) => {
      const problem = webhookUrlProblem(value, policy);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const eventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, {
  error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});

/** POST /v1/webhooks under a network policy. Event types are kept once each, in the order given. */
export const createWebhookSchemaFor = (policy: WebhookNetworkPolicy) =>
  z.strictObject({
    url: webhookUrlSchema(policy),
    event_types: z
      .array(eventTypeSchema)
      .min(1, `must name at least one event type: ${WEBHOOK_EVENT_TYPES.join(', ')}`)
      .max(WEBHOOK_EVENT_TYPES.length * 4)
      .transform((types) => [...new Set(types)]),
    description: z.string().max(MAX_WEBHOOK_DESCRIPTION).optional(),
  });

/** POST /v1/webhooks without exceptions (production, and the OpenAPI document). */
export const createWebhookSchema = createWebhookSchemaFor(STRICT_NETWORK_POLICY);

export type CreateWebhookRequest = z.infer<typeof createWebhookSchema>;

/** GET /v1/webhooks: every subscription (at most MAX_WEBHOOKS_PER_TENANT), no parameters. */
export const listWebhooksQuerySchema = z.strictObject({});

/** GET /v1/webhooks/:id/deliveries. */
export const listWebhookDeliveriesQuerySchema = z.strictObject({
  status: z
    .enum(WEBHOOK_DELIVERY_STATUSES, {
      error: `must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`,
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
