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
  /** How long start-up waits to have read the playbook topic. */
  playbookCatchUpTimeoutMs: number;
  /** Connection settings of the anthropic provider (absent: anthropic runs fail clearly). */
  anthropic?: { apiKey: string; baseURL?: string };
}

export const ORCHESTRATION_OPTIONS = Symbol('ORCHESTRATION_OPTIONS');
