import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
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

/**
 * Sends due deliveries: on a timer, right after new ones are enqueued, or when a test calls
 * `deliverDue`. Each delivery is claimed (one conditional write) before its POST, so replicas
 * never send the same attempt; a 2xx ends it `succeeded`, anything else records the attempt and
 * schedules the next one from the backoff, until the last attempt ends it `failed`. A 410 Gone
 * ends it at once and turns the subscription off, as Standard Webhooks recommends.
 */
@Injectable()
export class WebhookSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSender.name);
  private readonly schedule: number[];
  private readonly leaseMs: number;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly subscriptions: WebhookSubscriptionRepository,
    @Inject(WEBHOOK_DELIVERY_OPTIONS) private readonly options: WebhookDeliveryOptions,
    @Inject(WEBHOOK_CLOCK) private readonly clock: Clock,
  ) {
    this.schedule = retrySchedule(
      options.maxAttempts,
      options.retryScheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS,
    );
    this.leaseMs = options.timeoutMs + LEASE_MARGIN_MS;
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
    await this.running;
  }

  /** Starts a pass in the background, or asks the running one to go round once more. */
  kick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.deliverDue();
        } catch (err) {
          this.logger.warn(`webhook delivery pass failed: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopping);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once no background pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Sends every delivery due at `now` (several at once), each once per pass; returns how many
   * attempts were made. Tests pass a later `now` to make retries due without waiting.
   */
  async deliverDue(now: Date = this.clock.now()): Promise<number> {
    const started = performance.now();
    // The pass's time advanced by the real time spent, so attempts in one pass stay ordered.
    const at = () => new Date(now.getTime() + Math.round(performance.now() - started));
    let attempts = 0;
    const worker = async () => {
      while (!this.stopping) {
        const claimed = await this.deliveries.claimDue(now, this.leaseMs);
        if (!claimed) return;
        if (await this.attempt(claimed, at)) attempts++;
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 4 }, worker));
    return attempts;
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
          responseBody: null,
          durationMs: 0,
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
      this.options.timeoutMs,
    );
    const durationMs = Math.round(performance.now() - t0);
    const end = at();
    const { outcome, error } = this.outcomeOf(result, claimed.attemptCount + 1, end);
    const recorded = await this.deliveries.recordAttempt(
      claimed,
      {
        at: start,
        statusCode: result.statusCode,
        responseBody: result.responseBody,
        durationMs,
        error,
      } satisfies WebhookAttemptRecord,
      outcome,
      end,
    );
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
  ): { outcome: AttemptOutcome; error: string | null } {
    const code = result.statusCode;
    if (code !== null && code >= 200 && code < 300)
      return { outcome: { status: 'succeeded' }, error: result.error };
    if (code === 410) return { outcome: { status: 'failed' }, error: GONE_REASON };
    const error =
      code !== null && code >= 300 && code < 400
        ? `redirects are not followed; point the subscription at ${result.location ?? 'the final URL'}`
        : result.error;
    const next = nextAttemptAt(attemptsMade, end, this.schedule, {
      jitter: this.options.jitter ?? DEFAULT_RETRY_JITTER,
      retryAfterMs: parseRetryAfter(result.retryAfter, end),
    });
    return {
      outcome: next ? { status: 'pending', nextAttemptAt: next } : { status: 'failed' },
      error,
    };
  }
}

const GONE_REASON =
  'the endpoint answered 410 Gone, so the subscription was disabled; create a new one to resume';
