import type { EventMessages } from '@reverie/kafka';

/** What the orchestration feature needs from the service's validated config. */
export interface OrchestrationOptions {
  /** Names this replica in the runs it claims; unique per process. */
  replicaId: string;
  /** Sessions this replica runs at once. */
  runConcurrency: number;
  /** Holds `ci-breakages/` (one folder per case). */
  datasetsDir: string;
  /** Model calls a model-driven session may make. */
  maxModelTurns: number;
  /**
   * How often the replica reads the status of its runs' sessions (`SessionWatch`, one read per
   * tenant): a session its client ends while it runs stops its run (its model call aborted)
   * within about this long.
   */
  sessionWatchMs: number;
  /** How long start-up waits to have read the playbook topic. */
  playbookCatchUpTimeoutMs: number;
  /**
   * How a session's events go to Kafka (`EVENT_MESSAGES`, as the gateway's): `batch`, each run
   * of events appended together (a step) as `session.events_appended`; `single`, one record each.
   */
  eventMessages: EventMessages;
  /** Connection settings of the anthropic provider (absent: anthropic runs fail clearly). */
  anthropic?: { apiKey: string; baseURL?: string };
}

export const ORCHESTRATION_OPTIONS = Symbol('ORCHESTRATION_OPTIONS');
