import {
  ENVIRONMENT_NAMES,
  ENVIRONMENTS,
  fact,
  type EnvironmentName,
  type FactInfo,
} from '@reverie/environments';

export type { FactInfo } from '@reverie/environments';

/**
 * The task types an outcome definition can apply to: every registered environment (`external`: a
 * client-driven session).
 */
export const OUTCOME_ENVIRONMENTS = ENVIRONMENT_NAMES;
export type OutcomeEnvironment = EnvironmentName;

/** The facts every session has, whatever its environment. */
const GENERIC_FACT_NAMES = {
  'session.status': fact(
    'session status',
    'How the session ended: completed, failed, canceled (or running).',
  ),
  'session.steps': fact('steps', 'The highest step number any event carries (0 when none).'),
  'session.events': fact('event count', 'How many events the session stored.'),
  'session.errors': fact('error count', 'How many `error` events the session recorded.'),
  'tokens.total': fact(
    'tokens',
    'Every token the session’s model calls read or wrote: input + output + cache reads + cache writes.',
  ),
  'tokens.input': fact('input tokens', 'Uncached input tokens over all model calls.'),
  'tokens.output': fact('output tokens', 'Output tokens over all model calls.'),
} as const satisfies Record<string, FactInfo>;

/**
 * Every value a `bound` criterion may name, by environment (`generic` ones exist for every
 * session; each environment's come from its definition). Validation refuses any other path and
 * lists these; `sessionFacts` computes them.
 */
export const FACT_NAMES: Readonly<
  Record<'generic' | OutcomeEnvironment, Readonly<Record<string, FactInfo>>>
> = {
  generic: GENERIC_FACT_NAMES,
  ...(Object.fromEntries(ENVIRONMENTS.map((e) => [e.name, e.grading.factNames])) as Record<
    OutcomeEnvironment,
    Readonly<Record<string, FactInfo>>
  >),
};

/** The fact names valid for an environment (generic ones included); without one, every name. */
export function knownFactNames(environment?: OutcomeEnvironment): string[] {
  const envs = environment ? [environment] : OUTCOME_ENVIRONMENTS;
  return [...Object.keys(FACT_NAMES.generic), ...envs.flatMap((e) => Object.keys(FACT_NAMES[e]))];
}

/** The description, label and unit of a fact name, whatever its environment. */
export function factInfo(name: string): FactInfo | undefined {
  for (const group of Object.values(FACT_NAMES) as Array<Record<string, FactInfo>>)
    if (Object.hasOwn(group, name)) return group[name];
  return undefined;
}
