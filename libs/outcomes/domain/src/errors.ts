import type { z } from 'zod';

/** Codes a caller can act on. */
export type OutcomeErrorCode =
  /** An outcome definition (rubric) failed validation; `problems` lists every issue. */
  | 'invalid_outcome'
  /** A judge returned something that is not a judgement (e.g. a score that is not a number). */
  | 'invalid_judgement';

/** One thing wrong with an input, at a path such as `criteria[0].path`. */
export interface Problem {
  path: string;
  message: string;
}

/**
 * Input that cannot be used. The message says what was wrong, where, and what is allowed, so it
 * can be shown to a person, returned by the gateway as a 400, or handed to a model to fix.
 */
export class OutcomeError extends Error {
  override readonly name = 'OutcomeError';

  constructor(
    readonly code: OutcomeErrorCode,
    message: string,
    /** Every problem with its path (the message names only the first). */
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

/** How a bad value is quoted in a message: numbers as written, strings quoted, objects by kind. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** `criteria[0].path`: indices in brackets, keys joined by dots. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`))
    .join('');
}

/** Zod issues as problems; an unknown key becomes its own problem at its own path. */
export function toProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((iss) =>
    iss.code === 'unrecognized_keys'
      ? iss.keys.map((k) => ({ path: formatPath([...iss.path, k]), message: iss.message }))
      : [{ path: formatPath(iss.path), message: iss.message }],
  );
}

/** `path: message (and N more)`, the first problem standing for all. */
export function summarizeProblems(problems: readonly Problem[], root = 'outcome'): string {
  const [first] = problems;
  if (!first) return `invalid ${root}`;
  const text = `${first.path || root}: ${first.message}`;
  return problems.length > 1 ? `${text} (and ${problems.length - 1} more)` : text;
}
