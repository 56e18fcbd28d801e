import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ReverieMetrics } from '@reverie/telemetry';
import {
  WebhookDeliveryRepository,
  WebhookSubscriptionRepository,
  type AttemptOutcome,
  type ClaimedDelivery,
  type WebhookAttemptRecord,
} from '@reverie/webhooks-data-access';
import {
  DEFAULT_RETRY_JITTER,
  DEFAULT_RETRY_SCHEDULE_MS,
  nextAttemptAt,
  parseRetryAfter,
  retrySchedule,
  sign,
  webhookNetworkPolicy,
  type WebhookNetworkPolicy,
} from '@reverie/webhooks-domain';
import {
  WEBHOOK_CLOCK,
  WEBHOOK_DELIVERY_OPTIONS,
  type Clock,
  type WebhookDeliveryOptions,
} from './webhook-delivery.options';
import { postWebhook, type PostResult } from './webhook-request';

/** Margin on top of the request timeout before a claimed delivery counts as abandoned. */
const LEASE_MARGIN_MS = 30_000;

/** Attempts in flight, counted by a key (a subscription, a tenant). */
class InFlight {
  private readonly counts = new Map<string, number>();
  constructor(readonly limit: number) {}
  add(key: string, by: 1 | -1): void {
    const n = (this.counts.get(key) ?? 0) + by;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }
  /** The keys at their limit. */
  full(): string[] {
    return [...this.counts].filter(([, n]) => n >= this.limit).map(([key]) => key);
  }
}

/**
 * Sends due deliveries: on a timer, right after new ones are enqueued, or when a test calls
 * `deliverDue`. Each delivery is claimed (one conditional write) before its POST, so replicas
 * never send the same attempt; a 2xx ends it `succeeded`, anything else records the attempt and
 * schedules the next one from the backoff, until the last attempt ends it `failed`. A 410 Gone
 * ends it at once and turns the subscription off, as Standard Webhooks recommends.
 *
 * Receivers are kept apart: claiming never waits for attempts in flight, at most
 * `perSubscriptionConcurrency` attempts go to one subscription and `perTenantConcurrency` to one
 * tenant at once (the claim skips the others' due deliveries until one ends), out of a pool of
 * `concurrency`, and each attempt is bounded by `timeoutMs`. A receiver that stalls holds its
 * own slots only; everyone else's deliveries keep going out.
 */
@Injectable()
export class WebhookSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly schedule: number[];
  private readonly leaseMs: number;
  private readonly policy: WebhookNetworkPolicy;
  private readonly poolSize: number;
  private readonly bySubscription: InFlight;
  private readonly byTenant: InFlight;
  private readonly inFlight = new Set<Promise<boolean>>();
  private timer?: NodeJS.Timeout;
  private dispatching: Promise<void> | null = null;
  private again = false;
  private stopping = false;

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly subscriptions: WebhookSubscriptionRepository,
    @Inject(WEBHOOK_DELIVERY_OPTIONS) private readonly options: WebhookDeliveryOptions,
    @Inject(WEBHOOK_CLOCK) private readonly clock: Clock,
    private readonly metrics: ReverieMetrics,
  ) {
    this.schedule = retrySchedule(
      options.maxAttempts,
      options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
    );
    this.leaseMs = options.timeoutMs + LEASE_MARGIN_MS;
    this.policy = webhookNetworkPolicy(options.allowedHosts ?? []);
    this.poolSize = options.concurrency ?? 16;
    this.bySubscription = new InFlight(options.perSubscriptionConcurrency ?? 2);
    this.byTenant = new InFlight(
      options.perTenantConcurrency ?? Math.max(1, Math.floor(this.poolSize / 2)),
    );
  }

  onApplicationBootstrap(): void {
    if (this.options.pollMs > 0) {
      this.timer = setInterval(() => this.kick(), this.options.pollMs);
      this.timer.unref();
    }
  }

  /** Stops the timer and waits for the attempts in flight (each bounded by the timeout). */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.idle();
  }

  /**
   * Claims and starts what is due in the background, or asks the running claim loop to go round
   * once more. Returns at once; attempts that end kick again, so their subscription's next due
   * delivery goes out.
   */
  kick(): void {
    if (this.stopping) return;
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = (async () => {
      do {
        this.again = false;
        try {
          await this.dispatch(
            this.clock.now(),
            () => this.clock.now(),
            () => this.kick(),
          );
        } catch (err) {
          this.logger.warn(`webhook delivery pass failed: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopping);
    })().finally(() => {
      this.dispatching = null;
    });
  }

  /** Resolves once nothing is being claimed or sent. */
  async idle(): Promise<void> {
    while (this.dispatching || this.inFlight.size > 0) {
      await this.dispatching;
      await Promise.all([...this.inFlight]);
    }
  }

  /**
   * Sends every delivery due at `now` (several at once, within the limits), each once; returns
   * how many attempts were made. Tests pass a later `now` to make retries due without waiting.
   */
  async deliverDue(now: Date = this.clock.now()): Promise<number> {
    const started = performance.now();
    // The pass's time advanced by the real time spent, so attempts in one pass stay ordered.
    const at = () => new Date(now.getTime() + Math.round(performance.now() - started));
    let attempts = 0;
    const running = new Set<Promise<void>>();
    for (;;) {
      for (const attempt of await this.dispatch(now, at)) {
        const counted: Promise<void> = attempt.then((sent) => {
          if (sent) attempts++;
          running.delete(counted);
        });
        running.add(counted);
      }
      if (running.size === 0 || this.stopping) break;
      // One ended: its subscription or tenant may take its next due delivery.
      await Promise.race(running);
    }
    await Promise.all(running);
    return attempts;
  }

  /**
   * Claims due deliveries while the pool and the per-subscription and per-tenant limits allow,
   * and starts an attempt for each; returns the attempts without waiting for them.
   */
  private async dispatch(
    now: Date,
    at: () => Date,
    onEnd?: () => void,
  ): Promise<Array<Promise<boolean>>> {
    const started: Array<Promise<boolean>> = [];
    while (!this.stopping && this.inFlight.size < this.poolSize) {
      const claimed = await this.deliveries.claimDue(now, this.leaseMs, {
        subscriptionIds: this.bySubscription.full(),
        tenantIds: this.byTenant.full(),
      });
      if (!claimed) break;
      started.push(this.start(claimed, at, onEnd));
    }
    return started;
  }

  private start(claimed: ClaimedDelivery, at: () => Date, onEnd?: () => void): Promise<boolean> {
    this.bySubscription.add(claimed.subscriptionId, 1);
    this.byTenant.add(claimed.tenantId, 1);
    const attempt: Promise<boolean> = this.attempt(claimed, at)
      .catch((err: Error) => {
        // The claim runs out and another pass retries it.
        this.logger.warn(`delivery ${claimed._id}: the attempt failed: ${err.message}`);
        return false;
      })
      .finally(() => {
        this.bySubscription.add(claimed.subscriptionId, -1);
        this.byTenant.add(claimed.tenantId, -1);
        this.inFlight.delete(attempt);
        onEnd?.();
      });
    this.inFlight.add(attempt);
    return attempt;
  }

  /** One attempt of a claimed delivery; false when nothing was sent. */
  private async attempt(claimed: ClaimedDelivery, at: () => Date): Promise<boolean> {
    const subscription = await this.subscriptions.findById(
      claimed.tenantId,
      claimed.subscriptionId,
    );
    if (!subscription) {
      // Deleted while this delivery was being enqueued: nobody can see it any more.
      await this.deliveries.drop(claimed);
      return false;
    }
    const start = at();
    if (!subscription.enabled) {
      const reason = subscription.disabledReason ?? 'the subscription is disabled';
      await this.deliveries.recordAttempt(
        claimed,
        {
          at: start,
          statusCode: null,
          durationMs: 0,
          errorType: 'subscription_disabled',
          error: `not sent: ${reason}`,
        },
        { status: 'failed' },
        start,
      );
      return false;
    }

    const body = JSON.stringify(claimed.payload);
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const t0 = performance.now();
    const result = await postWebhook(
      {
        url: subscription.url,
        id: claimed._id,
        timestamp,
        signature: sign(subscription.secret, claimed._id, timestamp, body),
        body,
      },
      { timeoutMs: this.options.timeoutMs, policy: this.policy, resolve: this.options.resolve },
    );
    const durationMs = Math.round(performance.now() - t0);
    const end = at();
    const { outcome, errorType, error } = this.outcomeOf(result, claimed.attemptCount + 1, end);
    const recorded = await this.deliveries.recordAttempt(
      claimed,
      {
        at: start,
        statusCode: result.statusCode,
        durationMs,
        errorType,
        error,
      } satisfies WebhookAttemptRecord,
      outcome,
      end,
    );
    this.metrics.webhookDelivery(outcome.status === 'pending' ? 'retrying' : outcome.status);
    if (!recorded)
      this.logger.warn(
        `delivery ${claimed._id}: the claim ran out during the attempt; another sender retries it`,
      );
    if (result.statusCode === 410)
      await this.subscriptions.disable(claimed.tenantId, subscription._id, GONE_REASON, end);
    if (outcome.status === 'failed')
      this.logger.warn(
        `delivery ${claimed._id} to ${subscription._id} failed after ${claimed.attemptCount + 1} attempt(s): ${error ?? `HTTP ${result.statusCode}`}`,
      );
    return true;
  }

  private outcomeOf(
    result: PostResult,
    attemptsMade: number,
    end: Date,
  ): { outcome: AttemptOutcome; errorType: string | null; error: string | null } {
    const code = result.statusCode;
    if (code !== null && code >= 200 && code < 300)
      return { outcome: { status: 'succeeded' }, errorType: null, error: null };
    if (code === 410)
      return { outcome: { status: 'failed' }, errorType: 'http_status', error: GONE_REASON };
    const errorType = code === null ? result.errorType : 'http_status';
    const error = attemptError(result);
    const next = nextAttemptAt(attemptsMade, end, this.schedule, {
      jitter: this.options.jitter ?? DEFAULT_RETRY_JITTER,
      retryAfterMs: parseRetryAfter(result.retryAfter, end),
    });
    return {
      outcome: next ? { status: 'pending', nextAttemptAt: next } : { status: 'failed' },
      errorType,
      error,
    };
  }
}

/**
 * The error an attempt records, which the tenant reads. A redirect's `Location` is the
 * receiver's to choose, so it is never repeated: the tenant knows where the subscription should
 * point, and a receiver must not get to write into what we show.
 */
export function attemptError(result: PostResult): string | null {
  const code = result.statusCode;
  if (code === null) return result.error;
  if (code >= 300 && code < 400)
    return `the endpoint answered HTTP ${code}; redirects are not followed`;
  return `the endpoint answered HTTP ${code}`;
}

const GONE_REASON =
  'the endpoint answered 410 Gone, so the subscription was disabled; create a new one to resume';
