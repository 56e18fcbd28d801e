import { iso } from '@reverie/http';
import type {
  WebhookDeliveryRecord,
  WebhookSubscriptionRecord,
} from '@reverie/webhooks-data-access';

/** A subscription as the API shows it: no tenant, and the secret only when asked (on create). */
export function presentWebhook(s: WebhookSubscriptionRecord, { withSecret = false } = {}) {
  return {
    type: 'webhook' as const,
    id: s._id,
    url: s.url,
    event_types: s.eventTypes,
    description: s.description,
    enabled: s.enabled,
    disabled_reason: s.disabledReason,
    ...(withSecret && { secret: s.secret }),
    created_at: iso(s.createdAt),
  };
}

/** A delivery with its attempts (each with the receiver's status, never its body). */
export function presentWebhookDelivery(d: WebhookDeliveryRecord) {
  return {
    type: 'webhook_delivery' as const,
    id: d._id,
    webhook_id: d.subscriptionId,
    event_type: d.eventType,
    status: d.status,
    payload: d.payload,
    attempt_count: d.attemptCount,
    attempts: d.attempts.map((a) => ({
      at: iso(a.at),
      status_code: a.statusCode,
      duration_ms: a.durationMs,
      // Attempts stored before error types were kept have none.
      error_type: a.errorType ?? null,
      error: a.error,
    })),
    next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
  };
}

export type PresentedWebhook = ReturnType<typeof presentWebhook>;
export type PresentedWebhookDelivery = ReturnType<typeof presentWebhookDelivery>;
