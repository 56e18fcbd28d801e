import { sandboxUngradableCriteria, type RunRecords } from '@reverie/dreaming-domain';
import { parseOutcomeDefinition, type OutcomeDefinition } from '@reverie/outcomes-domain';
import { CliError } from '../api.client';
import { readJsonFile } from './json-file';

/**
 * An outcome definition file (the body of `PUT /v1/agents/:id/outcome`), checked as the API checks
 * it, for `environment`'s tasks: a definition that is not valid, or that grades another
 * environment's sessions (every task would fail it), is a usage error (exit 2) naming the file.
 * One that names no environment is checked as `environment`'s (its values must be that
 * environment's facts). With `records` (what the offline runs hold), one none of whose criteria
 * can be graded offline (model-judged items, counts the runs do not record) is refused too:
 * every task would read as failed, or as passed, for no reason the user could act on.
 */
export function readOutcomeFile(
  file: string,
  environment: string,
  records?: RunRecords,
): OutcomeDefinition {
  const json = readJsonFile(file, 'outcome definition');
  const scoped =
    typeof json === 'object' && json !== null && !Array.isArray(json) && !('environment' in json)
      ? { environment, ...json }
      : json;
  let definition: OutcomeDefinition;
  try {
    definition = parseOutcomeDefinition(scoped);
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
  const ungradable = records ? sandboxUngradableCriteria(definition, records) : new Map();
  if (ungradable.size === definition.criteria.length) {
    const [id, why] = [...ungradable][0];
    throw new CliError(
      `${file}: none of its criteria can be graded offline (${id}: ${why}${ungradable.size > 1 ? `; and ${ungradable.size - 1} more` : ''}); add a check the runs can show, or grade it live`,
      2,
    );
  }
  return definition;
}
