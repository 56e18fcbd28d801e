import { findUnstorable, MAX_JSON_DEPTH } from '@reverie/contracts';
import type { z } from 'zod';
import { invalidRequest, type FieldProblem } from './api-error';

/** `['events', 3, 'type']` -> `events[3].type` */
export function formatPath(path: PropertyKey[], prefix?: string): string {
  const joined = path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
  if (!prefix) return joined || '(body)';
  return joined ? `${prefix}${joined.startsWith('[') ? '' : '.'}${joined}` : prefix;
}

export function fieldProblems(error: z.ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path, prefix),
    message: issue.message,
  }));
}

/** Most field problems one error lists (a thousand bad tasks need not all be spelled out). */
const MAX_DETAILS = 50;

/**
 * Parses input or throws a 400 that lists each wrong field with the reason. Before the schema,
 * refuses what MongoDB could not store or what would overflow the stack downstream (a key with a
 * NUL byte, nesting deeper than MAX_JSON_DEPTH), and numbers JSON cannot carry on (`1e400`), in
 * one walk of the input, so nothing is accepted and then lost or changed.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  prefix?: string,
): z.infer<S> {
  const unstorable = findUnstorable(input, MAX_JSON_DEPTH, { finiteNumbers: true });
  if (unstorable) {
    const path = formatPath(unstorable.path, prefix);
    throw invalidRequest(`invalid ${what}: ${path} ${unstorable.message}`, [
      { path, message: unstorable.message },
    ]);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = fieldProblems(parsed.error, prefix);
  const first = details[0];
  throw invalidRequest(
    `invalid ${what}: ${first.path} ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}`,
    details.slice(0, MAX_DETAILS),
  );
}
