import { CI_LOG_TRIAGE_ENVIRONMENT } from '@reverie/ci-log-triage';
import type { EnvironmentDefinition, ManagedEnvironment } from '@reverie/environment-kit';
import { LUNAR_LANDER_ENVIRONMENT } from '@reverie/lunar-lander';
import { SUPPORT_DESK_ENVIRONMENT } from '@reverie/support-desk';
import { EXTERNAL_ENVIRONMENT } from './external.environment';

/**
 * Every environment Reverie knows, in the order lists show them (rubric environments, fact names).
 * The one place to register an environment: add its definition here, then its runner (if the
 * orchestrator runs it) and its dreamer (if dreams review it), which are keyed by its name and
 * checked against this list when their services start.
 */
export const ENVIRONMENTS = [
  LUNAR_LANDER_ENVIRONMENT,
  CI_LOG_TRIAGE_ENVIRONMENT,
  SUPPORT_DESK_ENVIRONMENT,
  EXTERNAL_ENVIRONMENT,
] as const;

export type EnvironmentName = (typeof ENVIRONMENTS)[number]['name'];

/** Every registered name, in registry order. */
export const ENVIRONMENT_NAMES: readonly [EnvironmentName, ...EnvironmentName[]] = [
  ENVIRONMENTS[0].name,
  ...ENVIRONMENTS.slice(1).map((e) => e.name),
];

/** An environment whose sessions the orchestrator runs (`POST /v1/sessions` with a `run`). */
export type ManagedEnvironmentDefinition = EnvironmentDefinition & { managed: ManagedEnvironment };

const isManaged = (e: EnvironmentDefinition): e is ManagedEnvironmentDefinition =>
  e.managed !== null;

/** The environments a managed session can run, in registry order. */
export const MANAGED_ENVIRONMENTS: readonly ManagedEnvironmentDefinition[] = (
  ENVIRONMENTS as readonly EnvironmentDefinition[]
).filter(isManaged);

/**
 * What a session that names no environment, and whose events show none, is graded as: a client's
 * own agent's session.
 */
export const DEFAULT_ENVIRONMENT: EnvironmentDefinition<EnvironmentName> = EXTERNAL_ENVIRONMENT;

const byName = new Map<string, EnvironmentDefinition<EnvironmentName>>(
  ENVIRONMENTS.map((e) => [e.name, e]),
);

export function isEnvironmentName(name: unknown): name is EnvironmentName {
  return typeof name === 'string' && byName.has(name);
}

/** The registered environment of that name, or undefined. */
export function findEnvironment(
  name: string | null | undefined,
): EnvironmentDefinition<EnvironmentName> | undefined {
  return name ? byName.get(name) : undefined;
}

/** The managed environment of that name, or undefined (unknown, or not run by the orchestrator). */
export function findManagedEnvironment(
  name: string | null | undefined,
): ManagedEnvironmentDefinition | undefined {
  const found = findEnvironment(name);
  return found && isManaged(found) ? found : undefined;
}

/**
 * Lets every managed environment read what its tasks may name from the datasets folder
 * (DATASETS_DIR), so their task schemas refuse a task naming an item the dataset does not hold.
 * Called once at start-up by the service that checks tasks (the gateway); throws, naming the
 * folder, when a dataset cannot be read.
 */
export function useDatasets(datasetsDir: string): void {
  for (const e of MANAGED_ENVIRONMENTS) e.managed.useDatasets?.(datasetsDir);
}
