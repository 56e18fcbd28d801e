export const WEBHOOKS_HTTP_OPTIONS = Symbol('WEBHOOKS_HTTP_OPTIONS');

export interface WebhooksHttpOptions {
  /** Internal hosts, addresses or CIDRs webhooks may be registered for (development only). */
  allowedHosts?: string[];
}
