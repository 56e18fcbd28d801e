import type { Resolver } from './webhook-request';

/** Where the sender reads the time; tests pass their own to drive retries without waiting. */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };

export const WEBHOOK_DELIVERY_OPTIONS = Symbol('WEBHOOK_DELIVERY_OPTIONS');
export const WEBHOOK_CLOCK = Symbol('WEBHOOK_CLOCK');

export interface WebhookDeliveryOptions {
  /** How often the sender looks for due deliveries; 0 turns the timer off (tests drive it). */
  pollMs: number;
  /** How long one POST may take, response body included. */
  timeoutMs: number;
  /** Attempts per delivery, the first included; then it is `failed`. */
  maxAttempts: number;
  /**
   * Delay before each attempt in milliseconds, counted from the previous failure (default:
   * immediately, 5 s, 30 s, 2 min, 10 min, 30 min, 2 h). Cut or extended to `maxAttempts`.
   */
  retryScheduleMs?: number[];
  /** 0 to 1: share of each delay added or removed at random (default 0.1; 0 in tests). */
  jitter?: number;
  /** Attempts in flight at once on one replica, across every tenant (default 16). */
  concurrency?: number;
  /**
   * Attempts in flight at once to one subscription (default 2): a receiver that stalls holds
   * only these, never the others' deliveries.
   */
  perSubscriptionConcurrency?: number;
  /** Attempts in flight at once for one tenant's subscriptions (default half the pool). */
  perTenantConcurrency?: number;
  /**
   * Hosts, addresses and CIDRs webhooks may reach although they are internal (loopback, private,
   * link-local): for development only (`WEBHOOK_ALLOWED_HOSTS`). Default: none.
   */
  allowedHosts?: string[];
  /** How host names are resolved before their addresses are checked (tests pass their own). */
  resolve?: Resolver;
  clock?: Clock;
}
