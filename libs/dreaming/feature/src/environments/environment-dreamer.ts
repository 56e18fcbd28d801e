import type { SessionEventBody } from '@reverie/contracts';
import type {
  EntryDraftInput,
  FailureLocalisation,
  ValidationMetrics,
} from '@reverie/dreaming-domain';
import type { OutcomeRecord } from '@reverie/outcomes-data-access';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import type { SessionView } from '@reverie/sessions-data-access/readers';

/** One reviewed session, as the pipeline's collect stage loaded it. */
export interface CollectedSession {
  session: SessionView;
  /** The grader's current verdict, when there is one. */
  outcome: OutcomeRecord | null;
  /** The events the environment asked for (see EnvironmentDreamer.eventFilter), in seq order. */
  events: SessionEventBody[];
}

/** The rules each playbook of the agent holds, by role (`null`: the agent's own playbook). */
export type RulesByRole = Map<string | null, PlaybookRule[]>;

/** An entry a reflector drafted for one playbook of the agent. */
export interface RoleDraft {
  role: string | null;
  draft: EntryDraftInput;
  /**
   * Which alternative it belongs to (0, the reflector's best, first). The pipeline validates the
   * alternatives in order and promotes the first that passes the gate.
   */
  alternative?: number;
}

/** Counts a stage spent, for the report and the budget. */
export interface StageWork {
  simulations: number;
  summary: string;
}

export interface Budget {
  /** Flights (lander) or rule-set evaluations (triage) this stage may spend. */
  simulations: number;
}

/** Whether a session succeeded, and which playbook entries acted in it. */
export interface SessionVerdict {
  succeeded: boolean;
  /** How it failed in a word or two ('hazard', 'out_of_fuel', 'finds-the-error'), '' if it did not. */
  failure: string;
  /** A key for the task, the same for sessions of the same task (scenario id, case id). */
  task: string;
  /** Entries whose rules fired, by role. */
  firedEntries: { role: string | null; entryId: string }[];
}

/**
 * What the pipeline needs of an environment: how to judge and split its sessions, localise
 * failures, draft entries, and validate rule sets in its sandbox. One instance per dream.
 */
export interface EnvironmentDreamer<Prepared = unknown> {
  readonly environment: string;
  /** The playbooks a dream of this environment writes: the team's roles, or [null]. */
  readonly roles: readonly (string | null)[];
  /** A filter on stored event bodies: the events `verdict` and `prepare` need. */
  readonly eventFilter: Record<string, unknown>;
  verdict(session: CollectedSession): SessionVerdict;
  /** Loads tasks and splits them: training (from the sessions) and held-out (never learned from). */
  prepare(sessions: readonly CollectedSession[]): Promise<Prepared>;
  /** How many reviewed sessions are held-out (and so only used to validate). */
  describeSplit(prepared: Prepared): { train: number; heldOut: number; note: string };
  localise(
    prepared: Prepared,
    failed: readonly CollectedSession[],
    successes: readonly CollectedSession[],
    current: RulesByRole,
    budget: Budget,
    progress: (done: number, total: number) => Promise<void>,
  ): Promise<{ localisations: FailureLocalisation[]; work: StageWork }>;
  reflect(
    prepared: Prepared,
    current: RulesByRole,
    budget: Budget,
  ): Promise<{ drafts: RoleDraft[]; work: StageWork }>;
  validate(
    prepared: Prepared,
    current: RulesByRole,
    candidate: RulesByRole,
  ): Promise<{ metrics: ValidationMetrics; work: StageWork }>;
}
