import type { RunModelSettings, RunSpec, SessionEventBody } from '@reverie/contracts';
import type { ModelProvider } from '@reverie/models';
import type { ActivePlaybook } from '../playbooks/playbook-catalog';

/** A session that cannot go on, with the reason and code its ended event and error event give. */
export class SessionFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A managed session running again because the grader asked for a revision. */
export interface Revision {
  /** 2 for the first revision. */
  iteration: number;
  /** The outcome it answers. */
  outcomeId: string;
  /** The grader's summary of what failed and why: the next input of the agent. */
  feedback: string;
}

/** What a managed session is about, known before it runs (for its started event). */
export interface RunPlan {
  title: string;
  /** The team's roles when the environment is played by a team; null for a single agent. */
  roles: readonly string[] | null;
}

/** What an environment runner gets for one managed session. */
export interface EnvironmentRun {
  readonly sessionId: string;
  readonly run: RunSpec;
  /** Set when this is a revision: the attempt, and the grader's explanation of what failed. */
  readonly revision: Revision | null;
  /** The agent's active playbook (role null) or one role's. */
  playbook(role: string | null): ActivePlaybook | null;
  /** The model settings a role runs with: the run's per-role, the run's, else the agent's. */
  settings(role: string): RunModelSettings;
  /** Its calls are aborted (kind `aborted`) once the session ends while it runs. */
  provider(settings: RunModelSettings): ModelProvider;
  readonly maxModelTurns: number;
  /** Queues events for the session topic. */
  append(events: SessionEventBody[]): void;
  /**
   * Publishes what is queued (model runs flush as they go, so progress shows); throws once the
   * session has ended while it runs, so a long run without model calls stops at its next flush.
   */
  flush(): Promise<void>;
}

/**
 * One environment a managed session can run, keyed by its name in @reverie/environments and listed
 * in `environment-runners.ts`. The managed-session runner owns the lifecycle (started, ended,
 * failures, publishing); the environment owns the task. Anything that goes wrong in the task throws a `SessionFailure` (or an error `asFailure` knows).
 */
export interface EnvironmentRunner {
  readonly environment: RunSpec['environment'];
  /** Checks the task and names the session; throws a SessionFailure for a task it cannot run. */
  plan(run: RunSpec): RunPlan;
  execute(session: EnvironmentRun): Promise<void>;
}

export const ENVIRONMENT_RUNNERS = Symbol('ENVIRONMENT_RUNNERS');
