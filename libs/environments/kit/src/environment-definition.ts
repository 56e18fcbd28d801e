import type { SessionEventBody } from '@reverie/contracts';
import type { z } from 'zod';
import type { EnvironmentFacts, FactInfo } from './facts';

/** A task as a run carries it (`run.task`): the environment's own fields. */
export type Task = Record<string, unknown>;

/**
 * How the orchestrator's managed sessions of an environment are asked for: what the gateway checks
 * before it accepts `POST /v1/sessions` or `POST /v1/batches`.
 */
export interface ManagedEnvironment {
  /** The shape of `run.task`; the gateway reports its issues under `run.task` (or `tasks[i]`). */
  readonly taskSchema: z.ZodType<Task>;
  /** The roles that play it, which `run.team` may set models for. */
  readonly roles: readonly string[];
  /** A short human title for a session on a task that passed `taskSchema`. */
  title(task: Task): string;
  /**
   * For a plug-in whose tasks name items of a dataset (a triage case id): reads what
   * `<datasetsDir>` holds (DATASETS_DIR, which every service image ships), so `taskSchema` refuses
   * a task naming an item that is not there with a 400 instead of a session that fails later.
   * Called once at start-up by the service that checks tasks (`useDatasets` of
   * `@reverie/environments`); throws when the data cannot be read. Until it is called,
   * `taskSchema` checks the shape only.
   */
  useDatasets?(datasetsDir: string): void;
}

/** What the grader reads from an environment's sessions. */
export interface EnvironmentGrading {
  /** Every value a `bound` criterion of a rubric for this environment may name (besides the generic ones). */
  readonly factNames: Readonly<Record<string, FactInfo>>;
  /** Computes those facts and the session's final answer from its events, in stored order. */
  facts(events: readonly SessionEventBody[]): EnvironmentFacts;
  /** True when an event shows that a session which names no environment is of this one. */
  recognises?(event: SessionEventBody): boolean;
  /** The key of a task's labelled answer (a triage case id) for `label_match` criteria, or null. */
  labelsKey?(task: Task): string | null;
  /**
   * Which task a session worked, read from its events (a support ticket's id), or null when they
   * do not say. A dream keeps every session of one task on one side of its train / validation /
   * test split, so a task it learned from is never the one it reports on.
   */
  taskKey?(events: readonly SessionEventBody[]): string | null;
}

/**
 * One environment, as the domain layers see it: its name, how its managed sessions are asked for
 * (if the orchestrator runs it) and how its sessions are graded. Each environment lib exports one;
 * `@reverie/environments` lists them. The parts that run (an orchestrator runner, a dreamer) live
 * in their feature libs, keyed by the same `name`.
 */
export interface EnvironmentDefinition<Name extends string = string> {
  /** What runs, rubrics and dreams carry, e.g. `lunar-lander`. */
  readonly name: Name;
  /** One line for documentation and error messages. */
  readonly description: string;
  /**
   * Set when the orchestrator runs its sessions; null when the client's own agent runs them and
   * reports them over REST (the gateway then accepts no `run` for it).
   */
  readonly managed: ManagedEnvironment | null;
  readonly grading: EnvironmentGrading;
}

/** Declares an environment, keeping its name's literal type (so the registry knows every name). */
export function defineEnvironment<const Name extends string>(
  definition: EnvironmentDefinition<Name>,
): EnvironmentDefinition<Name> {
  return definition;
}
