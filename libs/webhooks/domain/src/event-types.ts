/**
 * What a webhook subscription can ask for. Names follow Standard Webhooks' convention: a
 * full-stop delimited `<resource>.<change>`, the same string as the payload's `type`.
 */
export const WEBHOOK_EVENT_TYPES = [
  'dream.completed',
  'dream.failed',
  'dream.canceled',
  'playbook.updated',
  'playbook.proposed',
  'playbook.trial_started',
  'playbook.trial_ended',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The body of every webhook request (Standard Webhooks' `{type, timestamp, data}`). */
export interface WebhookPayload<D = Record<string, unknown>> {
  type: WebhookEventType;
  /** When the event happened (ISO 8601), not when this attempt was sent. */
  timestamp: string;
  data: D;
}
