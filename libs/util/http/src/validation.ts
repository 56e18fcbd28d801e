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
 * NUL byte, nesting deeper than MAX_JSON_DEPTH), and numbers JSON cannot carry on (see
 * findNonFinite), so nothing is accepted and then lost or changed.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  prefix?: string,
): z.infer<S> {
  const unstorable = findUnstorable(input, MAX_JSON_DEPTH);
  if (unstorable) {
    const path = formatPath(unstorable.path, prefix);
    throw invalidRequest(`invalid ${what}: ${path} ${unstorable.message}`, [
      { path, message: unstorable.message },
    ]);
  }
  const overflow = findNonFinite(input);
  if (overflow) {
    const path = formatPath(overflow, prefix);
    throw invalidRequest(`invalid ${what}: ${path} ${NON_FINITE}`, [{ path, message: NON_FINITE }]);
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

const NON_FINITE =
  'is a number too large for JSON (it parses as Infinity and would be stored as null); send it as a string';

/**
 * The path of the first number that is not finite: what `JSON.parse` makes of `1e400`. Accepted,
 * it would become `null` the moment it is serialised again (the Kafka message, the stored
 * document), so the client would read back something it never sent. Walks with an explicit stack
 * (the depth is already bounded by findUnstorable); the path is only built for what it finds.
 */
export function findNonFinite(value: unknown): PropertyKey[] | null {
  type Frame = { value: unknown; key: PropertyKey; parent: Frame | null };
  const stack: Frame[] = [{ value, key: '', parent: null }];
  while (stack.length > 0) {
    const item = stack.pop() as Frame;
    const v = item.value;
    if (typeof v === 'number') {
      if (Number.isFinite(v)) continue;
      const path: PropertyKey[] = [];
      for (let f: Frame | null = item; f?.parent; f = f.parent) path.push(f.key);
      return path.reverse();
    }
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: item });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ value: (v as Record<string, unknown>)[keys[i]], key: keys[i], parent: item });
    }
  }
  return null;
}
