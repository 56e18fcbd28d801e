import { WEBHOOK_DELIVERY_STATUSES } from '@reverie/webhooks-data-access';
import { WEBHOOK_EVENT_TYPES } from '@reverie/webhooks-domain';
import { z } from 'zod';

export const MAX_WEBHOOK_URL_LENGTH = 2_048;
export const MAX_WEBHOOK_DESCRIPTION = 512;
/** Subscriptions one tenant may have (GET /v1/webhooks lists them all). */
export const MAX_WEBHOOKS_PER_TENANT = 100;

const webhookUrlSchema = z
  .string({ error: 'must be a URL such as https://example.com/hooks/reverie' })
  .max(MAX_WEBHOOK_URL_LENGTH)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an absolute URL such as https://example.com/hooks/reverie',
      });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      ctx.addIssue({ code: 'custom', message: `must be http or https, not ${url.protocol}` });
    else if (url.username || url.password)
      ctx.addIssue({
        code: 'custom',
        message: 'may not carry credentials; verify deliveries by their signature instead',
      });
  });

const eventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, {
  error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});

/** POST /v1/webhooks. Event types are kept once each, in the order given. */
export const createWebhookSchema = z.strictObject({
  url: webhookUrlSchema,
  event_types: z
    .array(eventTypeSchema)
    .min(1, `must name at least one event type: ${WEBHOOK_EVENT_TYPES.join(', ')}`)
    .max(WEBHOOK_EVENT_TYPES.length * 4)
    .transform((types) => [...new Set(types)]),
  description: z.string().max(MAX_WEBHOOK_DESCRIPTION).optional(),
});

export type CreateWebhookRequest = z.infer<typeof createWebhookSchema>;

/** GET /v1/webhooks/:id/deliveries. */
export const listWebhookDeliveriesQuerySchema = z.strictObject({
  status: z
    .enum(WEBHOOK_DELIVERY_STATUSES, {
      error: `must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`,
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
