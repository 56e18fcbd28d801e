import type { SprtOptions } from '@reverie/playbooks-domain';
import type { AnthropicSettings } from '@reverie/service-kit';

/** What the dreamer feature needs from the service's validated config. */
export interface DreamerOptions {
  /** Connection settings of the model reflector's anthropic provider (absent: builtin only). */
  anthropic?: AnthropicSettings;
  /** Holds `ci-breakages/` (the cases and labels triage dreams validate on). */
  datasetsDir: string;
  /**
   * Dreams one replica runs at once. The rest wait, pending; each free slot goes to the next
   * waiting dream in the fair order across tenants (`nextDreamToClaim`).
   */
  concurrency: number;
  /** Sandbox flights / rule-set evaluations one dream may spend on localising and reflecting. */
  maxSimulations: number;
  /** A running dream renews its lease this often; one whose lease ran out is taken over. */
  leaseMs: number;
  /** How often a replica looks for dreams whose request was lost or whose replica died. */
  sweepMs: number;
  /** Runs of one dream before a dream that keeps dying is failed (`interrupted`). */
  maxAttempts: number;
  /**
   * How long shutdown waits for running dreams to stop and be handed back (within a pod's grace
   * period: Kubernetes gives 30 s by default, and the service has more to close).
   */
  handBackWaitMs: number;
  /** The most sessions a "since the last dream" dream reviews. */
  maxSessions: number;
  /** Dreams running at once across every replica (the global limit on simulation work). */
  globalConcurrency: number;
  /** How often the scheduler looks for due dreams; 0 turns the timer off (tests tick by hand). */
  scheduleTickMs: number;
  /**
   * Worker threads a lunar dream flies its simulations on (absent: the cores less one). A
   * replica's CPU limit is not visible to Node, so a deployment sets it to what the pod is given.
   */
  flightWorkers?: number;
  /**
   * Canary trials of candidates a dreamer without a simulator promotes (`liveTrial`): the share
   * of new sessions the candidate serves and the SPRT's settings (absent: the domain's defaults).
   * `enabled: false` applies (or proposes) such candidates directly, as before trials existed.
   */
  trials?: { enabled?: boolean; share?: number; sprt?: Partial<SprtOptions> };
}

export const DREAMER_OPTIONS = Symbol('DREAMER_OPTIONS');

export const DEFAULT_DREAMER_OPTIONS: Omit<DreamerOptions, 'datasetsDir'> = {
  concurrency: 1,
  maxSimulations: 3000,
  leaseMs: 60_000,
  sweepMs: 15_000,
  maxAttempts: 3,
  handBackWaitMs: 20_000,
  maxSessions: 1000,
  globalConcurrency: 4,
  scheduleTickMs: 60_000,
};

/** Where the dreamer reads the time (schedules, idle windows): the system clock, or a test's. */
export interface Clock {
  now(): Date;
}
export const DREAMER_CLOCK = Symbol('DREAMER_CLOCK');
export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
