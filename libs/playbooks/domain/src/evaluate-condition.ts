import { tenantRegExp } from '@reverie/patterns';
import {
  conditionProblems,
  type Condition,
  type FeatureTest,
  type Scalar,
} from './condition.schema';
import { PlaybookError } from './playbook-error';

/** Observable features by name: flat (`{ altitude: 12 }`) or nested (`{ sensors: { radar: 3 } }`). */
export type Features = Readonly<Record<string, unknown>>;

/** `sensors.altitude` finds a flat key of that name first, then walks nested objects. */
export function featureValue(features: Features, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(features, name)) return features[name];
  let current: unknown = features;
  for (const part of name.split('.')) {
    if (
      typeof current !== 'object' ||
      current === null ||
      !Object.prototype.hasOwnProperty.call(current, part)
    )
      return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

// Rules run at every step of hundreds of simulated sessions: compile each pattern once.
const PATTERN_CACHE = new Map<string, RegExp>();
const PATTERN_CACHE_SIZE = 1_000;

function compiled(pattern: string): RegExp {
  let re = PATTERN_CACHE.get(pattern);
  if (!re) {
    re = tenantRegExp(pattern);
    if (PATTERN_CACHE.size >= PATTERN_CACHE_SIZE) PATTERN_CACHE.clear();
    PATTERN_CACHE.set(pattern, re);
  }
  return re;
}

/** Throws an `invalid_condition` error listing what is wrong, or returns the condition typed. */
export function assertValidCondition(
  condition: unknown,
  path = 'when',
): asserts condition is Condition {
  const problems = conditionProblems(condition, path);
  if (problems.length)
    throw new PlaybookError(
      'invalid_condition',
      `invalid condition: ${problems[0].path} ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
      problems,
    );
}

/**
 * Whether `features` satisfy `condition`. A test on a missing (undefined or null) feature is false
 * for every operator, `ne` included, so a rule never fires on what was not observed; a comparison
 * with a value of another type (`lt` on a string) is false too. Malformed conditions throw.
 */
export function evaluateCondition(condition: Condition, features: Features): boolean {
  assertValidCondition(condition);
  return evaluate(condition, features);
}

/** Evaluation of a condition already known to be valid. */
export function evaluate(c: Condition, features: Features): boolean {
  if ('all' in c) return c.all.every((x) => evaluate(x, features));
  if ('any' in c) return c.any.some((x) => evaluate(x, features));
  if ('not' in c) return !evaluate(c.not, features);
  return test(c, featureValue(features, c.feature));
}

function test(t: FeatureTest, actual: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  const num = typeof actual === 'number' && Number.isFinite(actual) ? actual : undefined;
  switch (t.op) {
    case 'exists':
      return true;
    case 'eq':
      return actual === t.value;
    case 'ne':
      return actual !== t.value;
    case 'lt':
      return num !== undefined && num < (t.value as number);
    case 'lte':
      return num !== undefined && num <= (t.value as number);
    case 'gt':
      return num !== undefined && num > (t.value as number);
    case 'gte':
      return num !== undefined && num >= (t.value as number);
    case 'in':
      return (t.value as Scalar[]).includes(actual as Scalar);
    case 'matches':
      return typeof actual === 'string' && compiled(t.value as string).test(actual);
  }
}
