import {
  ConfigError,
  anthropicEnvShape,
  anthropicFrom,
  datasetsDirFrom,
  datasetsEnvShape,
  envInt,
  parseEnv,
  serviceEnvSchema,
  toServiceConfig,
  type ServiceConfig,
} from '@reverie/service-kit';
import type { DreamerOptions } from '@reverie/dreaming-feature';
import { allowedHostsEnvSchema } from '@reverie/webhooks-domain';
import type { WebhookDeliveryOptions } from '@reverie/webhooks-feature';
import { z } from 'zod';

const dreamerEnvSchema = serviceEnvSchema.extend({
  PORT: envInt(0, 65_535).default(3003),
  /** Dreams one replica runs at once. */
  DREAM_CONCURRENCY: envInt(1, 16).default(1),
  /** Sandbox flights (or rule-set evaluations) one dream may spend localising and reflecting. */
  DREAM_MAX_SIMULATIONS: envInt(10, 1_000_000).default(3000),
  /** A running dream renews its lease this often; one whose lease ran out is resumed elsewhere. */
  DREAM_LEASE_MS: envInt(1_000, 3_600_000).default(60_000),
  /** At shutdown, how long to wait for running dreams to stop and be handed back. */
  DREAM_HANDBACK_WAIT_MS: envInt(0, 600_000).default(20_000),
  /** How often a replica looks for lost requests and dreams whose replica died. */
  DREAM_SWEEP_MS: envInt(100, 3_600_000).default(15_000),
  /** Runs of one dream before a dream that keeps dying is failed as `interrupted`. */
  DREAM_MAX_ATTEMPTS: envInt(1, 10).default(3),
  /** Worker threads a lunar dream flies on: what the replica's CPU limit allows. */
  DREAM_FLIGHT_WORKERS: envInt(1, 64).default(1),
  /** Most sessions a "since the last dream" dream reviews. */
  DREAM_MAX_SESSIONS: envInt(1, 10_000).default(1000),
  /** How often a replica looks for webhook deliveries that are due. */
  WEBHOOK_POLL_MS: envInt(10, 3_600_000).default(1000),
  /** How long a receiver has to answer one delivery. */
  WEBHOOK_TIMEOUT_MS: envInt(100, 120_000).default(10_000),
  /** Attempts per webhook delivery, the first included. */
  WEBHOOK_MAX_ATTEMPTS: envInt(1, 20).default(7),
  /**
   * Delay before each attempt in ms, comma-separated, from the previous failure (default 0, 5 s,
   * 30 s, 2 min, 10 min, 30 min, 2 h); cut or extended (last delay repeated) to the max attempts.
   */
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be comma-separated milliseconds, e.g. 0,5000,30000')
    .transform((s) => s.split(',').map((d) => Number(d.trim())))
    .optional(),
  /** 0 to 1: share of each retry delay added or removed at random. */
  WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.1),
  /** Webhook attempts in flight at once on one replica, across every tenant. */
  WEBHOOK_CONCURRENCY: envInt(1, 1_000).default(16),
  /** Attempts in flight at once to one subscription: a stalled receiver holds only these. */
  WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: envInt(1, 100).default(2),
  /**
   * Internal hosts, addresses or CIDRs webhooks may reach (development only, e.g.
   * `127.0.0.1,localhost`); everything loopback, private, link-local or metadata is refused.
   */
  WEBHOOK_ALLOWED_HOSTS: allowedHostsEnvSchema,
  /** Dreams running at once across every replica (the global limit on simulation work). */
  DREAM_GLOBAL_CONCURRENCY: envInt(1, 1000).default(4),
  /** How often the scheduler looks for due dreams; 0 turns scheduling off on this replica. */
  DREAM_SCHEDULE_TICK_MS: envInt(0, 86_400_000).default(60_000),
  /**
   * `off`: candidates of dreamers without a simulator take effect as the agent publishes (apply or
   * propose) instead of going on a canary trial first.
   */
  TRIALS: z.enum(['on', 'off']).default('on'),
  /** Share of new sessions a canary trial's candidate serves (0 < share < 1). */
  TRIAL_SHARE: z.coerce.number().gt(0).lt(1).default(0.5),
  /** The trial's SPRT: false-promotion rate, missed-improvement rate, discordant pairs at most. */
  TRIAL_ALPHA: z.coerce.number().gt(0).lt(0.5).default(0.05),
  TRIAL_BETA: z.coerce.number().gt(0).lt(0.5).default(0.2),
  TRIAL_MAX_DISCORDANT: envInt(1, 10_000).default(60),
  /** Graded pairs at most (at least TRIAL_MAX_DISCORDANT): equal versions give no discordant pair. */
  TRIAL_MAX_PAIRS: envInt(1, 100_000).default(300),
  ...datasetsEnvShape,
  ...anthropicEnvShape,
});

/** The service config: the platform's, the dream settings and the webhook delivery settings. */
export interface DreamerConfig extends ServiceConfig, DreamerOptions {
  webhooks: Pick<
    WebhookDeliveryOptions,
    | 'pollMs'
    | 'timeoutMs'
    | 'maxAttempts'
    | 'retryScheduleMs'
    | 'jitter'
    | 'concurrency'
    | 'perSubscriptionConcurrency'
    | 'allowedHosts'
  >;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): DreamerConfig {
  const parsed = parseEnv(dreamerEnvSchema, env);
  if (parsed.TRIAL_MAX_PAIRS < parsed.TRIAL_MAX_DISCORDANT)
    throw new ConfigError(
      `invalid configuration: TRIAL_MAX_PAIRS (${parsed.TRIAL_MAX_PAIRS}) must be at least TRIAL_MAX_DISCORDANT (${parsed.TRIAL_MAX_DISCORDANT}): every discordant pair is a graded pair`,
    );
  return {
    ...toServiceConfig('dreamer', parsed.PORT, parsed),
    datasetsDir: datasetsDirFrom(parsed),
    concurrency: parsed.DREAM_CONCURRENCY,
    maxSimulations: parsed.DREAM_MAX_SIMULATIONS,
    leaseMs: parsed.DREAM_LEASE_MS,
    sweepMs: parsed.DREAM_SWEEP_MS,
    maxAttempts: parsed.DREAM_MAX_ATTEMPTS,
    handBackWaitMs: parsed.DREAM_HANDBACK_WAIT_MS,
    maxSessions: parsed.DREAM_MAX_SESSIONS,
    globalConcurrency: parsed.DREAM_GLOBAL_CONCURRENCY,
    scheduleTickMs: parsed.DREAM_SCHEDULE_TICK_MS,
    flightWorkers: parsed.DREAM_FLIGHT_WORKERS,
    trials: {
      enabled: parsed.TRIALS === 'on',
      share: parsed.TRIAL_SHARE,
      sprt: {
        alpha: parsed.TRIAL_ALPHA,
        beta: parsed.TRIAL_BETA,
        maxDiscordant: parsed.TRIAL_MAX_DISCORDANT,
        maxPairs: parsed.TRIAL_MAX_PAIRS,
      },
    },
    ...anthropicFrom(parsed),
    webhooks: {
      pollMs: parsed.WEBHOOK_POLL_MS,
      timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
      maxAttempts: parsed.WEBHOOK_MAX_ATTEMPTS,
      retryScheduleMs: parsed.WEBHOOK_RETRY_SCHEDULE_MS,
      jitter: parsed.WEBHOOK_RETRY_JITTER,
      concurrency: parsed.WEBHOOK_CONCURRENCY,
      perSubscriptionConcurrency: parsed.WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION,
      allowedHosts: parsed.WEBHOOK_ALLOWED_HOSTS,
    },
  };
}
