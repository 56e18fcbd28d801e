import { createHash } from 'node:crypto';
import type { SessionEventBody } from '@reverie/contracts';
import type {
  DreamUsage,
  EntryDraftInput,
  FailureLocalisation,
  GateOptions,
  ProposedChange,
  RunRecords,
  TaskRun,
  TrainEvidence,
  ValidationMetrics,
} from '@reverie/dreaming-domain';
import type { ModelProvider } from '@reverie/models';
import type { OutcomeRecord } from '@reverie/outcomes-data-access';
import type { OutcomeDefinition } from '@reverie/outcomes-domain';
import {
  stableJson,
  type PlaybookRule,
  type PlaybookVersion,
  type TaskRef,
} from '@reverie/playbooks-domain';
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
  /**
   * What the reflector measured for the whole alternative on the training split (the same on each
   * of its drafts): the gate's `saturatedTrainGain` and `efficiencySwaps` read it. Absent: nothing
   * measured.
   */
  train?: TrainEvidence;
}

/** Counts a stage spent, for the report and the budget. */
export interface StageWork {
  simulations: number;
  summary: string;
}

export interface Budget {
  /** Flights (lander) or rule-set evaluations (triage) this stage may spend. */
  simulations: number;
  /**
   * Signatures (`candidateSignature` of an alternative's drafts) that earlier dreams of this agent
   * validated and refused: the pipeline skips such alternatives, so a reflector that skips them
   * too spends its budget elsewhere.
   */
  refused?: ReadonlySet<string>;
  /**
   * Dreams of this agent in this environment that ran before this one (the memory's count). A
   * reflector with random draws seeds them with it: the same sessions and rules would otherwise
   * draw the same candidates a dream just refused, and the next dream would find nothing new.
   */
  round?: number;
  /**
   * Where the search is, for the dream's progress (`done` of `total` in the search's own unit,
   * and what it is doing); a reflector that searches for long should call it as it goes.
   */
  progress?: (done: number, total: number, message: string) => Promise<void>;
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
 * The dream's model, offered to a dreamer whose own reflector can use one (the external model
 * reflector), when the dream's settings select `anthropic` and the dreamer service has a key.
 */
export interface ReflectModel {
  provider: ModelProvider;
  model?: string;
  maxTokens?: number;
  /** The operator's instructions to the dream. */
  instructions: string;
  /** The dream's agent (one tenant's): only its sessions and playbooks may reach the prompt. */
  agentId: string;
  /** The current playbook of each role the dream writes (null: none yet). */
  playbooks: ReadonlyMap<string | null, PlaybookVersion | null>;
  /**
   * Tokens left of the dream's budget (null or absent: no budget): a reflector fits its prompt
   * to it, since the provider sends no request that could cost more.
   */
  tokensLeft?: number | null;
}

/** What a reflect stage drafted. */
export interface ReflectResult {
  drafts: RoleDraft[];
  work: StageWork;
  /** What the report should say about the search beyond its summary (an objective out of reach). */
  notes?: string[];
  /**
   * Set when the dreamer used the offered model itself: its token usage, remarks for the report
   * (refused proposals, cut transcripts), and the reviewed update / merge / retire deltas for
   * curate (alternative 0). The pipeline then leaves the drafts' text as the dreamer wrote it.
   */
  model?: {
    usage: Partial<DreamUsage>;
    notes: string[];
    proposals: (ProposedChange & { role: string | null })[];
  };
}

/** How many tasks (scenarios, cases) each split holds, and reviewed sessions not learned from. */
export interface SplitSummary {
  train: number;
  validation: number;
  test: number;
  /** Reviewed sessions whose task is in validation or test (never learned from). */
  reviewedHeldOut: number;
  /**
   * The reviewed sessions on training tasks: the only ones a dream learns from, counters and
   * retirements included (a use on a validation or test task must not bear on a decision).
   */
  trainSessions: ReadonlySet<string>;
  /**
   * Each split's tasks (scenarios, cases) by id and content digest, where the dreamer has tasks
   * of its own: what an offline playbook file records it was learned from and chosen on. A
   * function: digesting every log of a large dataset is work only the offline CLI asks for.
   */
  tasks?: () => SplitTasks;
  /** One line for the report, naming each split's size. */
  note: string;
}

/** A task as a split names it: its id and content digest (`TaskRef` of the playbooks domain). */
export type { TaskRef };

/** Each split's tasks, in a stable order. */
export interface SplitTasks {
  train: TaskRef[];
  validation: TaskRef[];
  test: TaskRef[];
}

/** The digest of a task's content (a scenario, a case): everything but its `id`. */
export function taskDigest(task: { id: string }): string {
  const { id: _id, ...content } = task as Record<string, unknown>;
  return createHash('sha256').update(stableJson(content)).digest('hex').slice(0, 16);
}

/** Tasks with an `id` (scenarios, cases) as refs: each id with its content's digest. */
export function taskRefs(tasks: readonly { id: string }[]): TaskRef[] {
  return tasks.map((t) => ({ id: t.id, digest: taskDigest(t) }));
}

/** The tasks of splits of tasks with an `id` (scenarios, cases). */
export function splitTaskIds(p: {
  train: readonly { id: string }[];
  validation: readonly { id: string }[];
  test: readonly { id: string }[];
}): SplitTasks {
  return { train: taskRefs(p.train), validation: taskRefs(p.validation), test: taskRefs(p.test) };
}

/** The splits a sandbox evaluation may run on (train is the reflector's own business). */
export type EvaluationSplit = 'validation' | 'test';

/**
 * What the pipeline needs of an environment: how to judge and split its sessions, localise
 * failures, draft entries, and run rule sets in its sandbox. One instance per dream.
 *
 * The contract (issue 16):
 * - Three splits. `prepare` splits the tasks into train, validation and test, deterministically
 *   by task id (a task never moves between splits as others are added). Reflectors learn on
 *   train only; the pipeline chooses between alternatives and gates promotion on validation
 *   only; test is run by the pipeline after every decision is made, for the report, and nothing
 *   read from it feeds back into a dream. Reviewed sessions of validation/test tasks are not
 *   learned from (not localised, not used as evidence).
 * - The objective is the operator's outcome definition. `evaluate` returns, per task, what a
 *   session would have recorded (TaskRun: the events the environment's facts read, and labels
 *   where the rubric needs them); the pipeline grades them with the outcomes domain's grader
 *   against the agent's outcome definition (or `defaultObjective` when it has none) and applies
 *   the criterion-wise gate (`gateCandidate`: no criterion may fall beyond a tolerance). The
 *   dreamer never decides promotion itself.
 * - Counters: `verdict(...).firedEntries` lists only entries whose condition matched in that
 *   session (an entry loaded but never matching is not "used").
 */
export interface EnvironmentDreamer<Prepared = unknown> {
  readonly environment: string;
  /** The playbooks a dream of this environment writes: the team's roles, or [null]. */
  readonly roles: readonly (string | null)[];
  /** A filter on stored event bodies: the events `verdict` and `prepare` need. */
  readonly eventFilter: Record<string, unknown>;
  /** The rubric a dream optimises when the agent has no outcome definition of its own. */
  readonly defaultObjective: OutcomeDefinition;
  /** The gate's thresholds for this environment (DEFAULT_GATE where left out). */
  readonly gate?: Partial<GateOptions>;
  /**
   * What the runs `evaluate` returns hold ('session' when left out): with 'result' the criteria
   * that count a session's tool calls or steps are not gradable in its sandbox (see
   * `sandboxUngradable`).
   */
  readonly sandboxRecords?: RunRecords;
  /**
   * For a dreamer without a sandbox (recorded sessions cannot be re-run, so `evaluate` returns
   * them as they ran): the validation gate from its own held-out check, used instead of
   * evaluate + gateCandidate; what it promotes is then proven on live traffic.
   */
  offlineGate?(prepared: Prepared): ValidationMetrics;
  /**
   * True when what the dreamer promotes must be proven on live traffic first (no simulator): the
   * candidate is stored as a proposal and put on a canary trial, where the dreamer service has
   * live traffic (`DreamPorts.startTrial`), instead of taking effect directly.
   */
  readonly liveTrial?: boolean;
  verdict(session: CollectedSession): SessionVerdict;
  /** Loads tasks and splits them three ways (see the contract above). */
  prepare(sessions: readonly CollectedSession[]): Promise<Prepared>;
  describeSplit(prepared: Prepared): SplitSummary;
  /** Localises failed sessions of train tasks (the pipeline passes all; the dreamer skips held-out). */
  localise(
    prepared: Prepared,
    failed: readonly CollectedSession[],
    successes: readonly CollectedSession[],
    current: RulesByRole,
    budget: Budget,
    progress: (done: number, total: number) => Promise<void>,
    /** The agent's outcome definition (a dreamer with a simulator judges its counterfactuals by it). */
    objective?: OutcomeDefinition,
  ): Promise<{ localisations: FailureLocalisation[]; work: StageWork }>;
  /**
   * Drafts entries from the train split only, optimising `objective` (grade sandbox runs with
   * `gradeRuns(objective, environment, runs)` to score them the way the gate will).
   */
  reflect(
    prepared: Prepared,
    current: RulesByRole,
    budget: Budget,
    objective: OutcomeDefinition,
    /** The dream's model, when it has one (see ReflectModel); dreamers may ignore it. */
    model?: ReflectModel,
  ): Promise<ReflectResult>;
  /**
   * Runs every task of `split` with `rules` (complete rule sets, by role) in the sandbox, in a
   * stable task order, and returns what each run recorded. Deterministic for the same input.
   */
  evaluate(
    prepared: Prepared,
    split: EvaluationSplit,
    rules: RulesByRole,
  ): Promise<{ runs: TaskRun[]; work: StageWork }>;
}
