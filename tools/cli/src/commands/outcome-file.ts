import { parseOutcomeDefinition, type OutcomeDefinition } from '@reverie/outcomes-domain';
import { CliError } from '../api.client';
import { readJsonFile } from './json-file';

/**
 * An outcome definition file (the body of `PUT /v1/agents/:id/outcome`), checked as the API checks
 * it, for `environment`'s tasks: a definition that is not valid, or that grades another
 * environment's sessions (every task would fail it), is a usage error (exit 2) naming the file.
 */
export function readOutcomeFile(file: string, environment: string): OutcomeDefinition {
  const json = readJsonFile(file, 'outcome definition');
  let definition: OutcomeDefinition;
  try {
    definition = parseOutcomeDefinition(json);
  } catch (err) {
    if ((err as Error).name === 'OutcomeError')
      throw new CliError(`${file}: ${(err as Error).message}`, 2);
    throw err;
  }
  if (definition.environment && definition.environment !== environment)
    throw new CliError(
      `${file}: this outcome definition grades ${definition.environment} sessions, not ${environment} ones`,
      2,
    );
  return definition;
}
