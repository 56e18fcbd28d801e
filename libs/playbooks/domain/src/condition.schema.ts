import { z } from 'zod';
import { formatPath, type PlaybookProblem } from './playbook-error';
import { patternRisk } from '@reverie/patterns';

/**
 * Conditions are general expression trees over named observable features. Environments decide
 * which features exist (`altitude`, `sensors.radar`, `log.line`); this library knows none of them.
 */
export const CONDITION_OPS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'matches',
  'exists',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type Scalar = string | number | boolean;

export interface FeatureTest {
  /** A feature name; dots reach into nested objects (`sensors.altitude`). */
  feature: string;
  op: ConditionOp;
  /** Scalar for eq/ne, number for lt/lte/gt/gte, scalar list for in, a regex for matches, absent for exists. */
  value?: Scalar | Scalar[];
}

export type Condition =
  { all: Condition[] } | { any: Condition[] } | { not: Condition } | FeatureTest;

export interface Action {
  /** An action or parameter the environment exposes, e.g. `set_throttle` or `flag_lines`. */
  action: string;
  params?: Record<string, Scalar>;
}

export interface Rule {
  when: Condition;
  then: Action;
}

export const FEATURE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const ACTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
export const MAX_CONDITION_DEPTH = 16;
export const MAX_CONDITION_NODES = 256;
const MAX_IN_VALUES = 1_000;
const MAX_PATTERN_CHARS = 1_000;
const MAX_STRING_VALUE_CHARS = 1_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

function scalarProblem(v: unknown): string | null {
  if (!isScalar(v)) return `must be a string, a finite number or a boolean, not ${show(v)}`;
  if (typeof v === 'string' && v.length > MAX_STRING_VALUE_CHARS)
    return `must be at most ${MAX_STRING_VALUE_CHARS} characters`;
  return null;
}

/** Why `pattern` is not a usable `matches` value, or null when it compiles. */
export function patternProblem(pattern: unknown): string | null {
  if (typeof pattern !== 'string')
    return `must be a regular expression as a string, not ${show(pattern)}`;
  if (pattern.length > MAX_PATTERN_CHARS) return `must be at most ${MAX_PATTERN_CHARS} characters`;
  try {
    new RegExp(pattern);
    return null;
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message}); escape special characters such as ( [ . with a backslash`;
  }
}

/**
 * Every structural problem of a condition, each with its path. Used by the schema (so stored rules
 * are valid) and by `evaluateCondition` (so a hand-built condition fails with the same messages).
 */
export function conditionProblems(value: unknown, prefix = 'when'): PlaybookProblem[] {
  const problems: PlaybookProblem[] = [];
  let nodes = 0;
  const add = (path: PropertyKey[], message: string) =>
    problems.push({ path: formatPath(path, prefix), message });

  const visit = (node: unknown, path: PropertyKey[], depth: number): void => {
    if (++nodes > MAX_CONDITION_NODES) {
      if (nodes === MAX_CONDITION_NODES + 1)
        add([], `has more than ${MAX_CONDITION_NODES} nodes; split the rule into several entries`);
      return;
    }
    if (depth > MAX_CONDITION_DEPTH) {
      add(path, `nests deeper than ${MAX_CONDITION_DEPTH} levels; flatten it with all/any`);
      return;
    }
    if (!isObject(node)) {
      add(path, `must be an object with one of all, any, not or feature, not ${show(node)}`);
      return;
    }
    const keys = Object.keys(node);
    const kinds = keys.filter((k) => k === 'all' || k === 'any' || k === 'not' || k === 'feature');
    if (kinds.length !== 1) {
      add(
        path,
        `must have exactly one of all, any, not or feature (has ${keys.join(', ') || 'none'})`,
      );
      return;
    }
    const kind = kinds[0];
    if (kind === 'all' || kind === 'any') {
      if (keys.length > 1) add(path, `"${kind}" takes no other keys (found ${keys.join(', ')})`);
      const list = node[kind];
      if (!Array.isArray(list) || list.length === 0) {
        add([...path, kind], 'must be a non-empty list of conditions');
        return;
      }
      list.forEach((c, i) => visit(c, [...path, kind, i], depth + 1));
      return;
    }
    if (kind === 'not') {
      if (keys.length > 1) add(path, `"not" takes no other keys (found ${keys.join(', ')})`);
      visit(node.not, [...path, 'not'], depth + 1);
      return;
    }
    featureTestProblems(node, path, add);
  };

  visit(value, [], 1);
  return problems;
}

function featureTestProblems(
  node: Record<string, unknown>,
  path: PropertyKey[],
  add: (path: PropertyKey[], message: string) => void,
): void {
  const extra = Object.keys(node).filter((k) => k !== 'feature' && k !== 'op' && k !== 'value');
  if (extra.length)
    add(path, `a feature test has only feature, op and value (found ${extra.join(', ')})`);
  if (typeof node.feature !== 'string' || !FEATURE_NAME.test(node.feature))
    add(
      [...path, 'feature'],
      `must be a feature name of letters, digits, _ . - starting with a letter or _, not ${show(node.feature)}`,
    );
  const op = node.op;
  if (typeof op !== 'string' || !(CONDITION_OPS as readonly string[]).includes(op)) {
    add([...path, 'op'], `${show(op)} is not an operator; use one of ${CONDITION_OPS.join(', ')}`);
    return;
  }
  const value = node.value;
  const at = [...path, 'value'];
  switch (op as ConditionOp) {
    case 'eq':
    case 'ne': {
      const p = scalarProblem(value);
      if (p) add(at, `${p} (for "${op}")`);
      return;
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      if (typeof value !== 'number' || !Number.isFinite(value))
        add(at, `must be a finite number for "${op}", not ${show(value)}`);
      return;
    case 'in':
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES) {
        add(at, `must be a list of 1 to ${MAX_IN_VALUES} values for "in", not ${show(value)}`);
        return;
      }
      value.forEach((v, i) => {
        const p = scalarProblem(v);
        if (p) add([...at, i], p);
      });
      return;
    case 'matches': {
      const p = patternProblem(value);
      if (p) add(at, p);
      return;
    }
    case 'exists':
      if (value !== undefined)
        add(at, 'must be left out for "exists"; wrap the test in {"not": ...} to require absence');
      return;
  }
}

/**
 * A condition as it is accepted (a new or edited rule): valid (`conditionProblems`), and no
 * `matches` pattern that could backtrack without bound (`patternRisk`). Rules stored before that
 * check still evaluate (`evaluateCondition` checks validity only), under the backtracking guard.
 */
export const conditionSchema = z.custom<Condition>().superRefine((value, ctx) => {
  const problems = conditionProblems(value, '');
  for (const p of problems) {
    ctx.addIssue({ code: 'custom', message: `${p.path ? `${p.path} ` : ''}${p.message}` });
  }
  if (problems.length) return;
  for (const { path, pattern } of matchesPatterns(value as Condition, '')) {
    const risk = patternRisk(pattern);
    if (risk) ctx.addIssue({ code: 'custom', message: `${path} ${risk}` });
  }
});

/** Every `matches` test's pattern in a valid condition, with its path (`all[0]`). */
function matchesPatterns(c: Condition, path: string): { path: string; pattern: string }[] {
  const at = (step: string) => (path ? `${path}.${step}` : step);
  if ('all' in c) return c.all.flatMap((x, i) => matchesPatterns(x, at(`all[${i}]`)));
  if ('any' in c) return c.any.flatMap((x, i) => matchesPatterns(x, at(`any[${i}]`)));
  if ('not' in c) return matchesPatterns(c.not, at('not'));
  return c.op === 'matches' ? [{ path: at('value'), pattern: c.value as string }] : [];
}

export const actionSchema = z
  .object({
    action: z
      .string()
      .regex(
        ACTION_NAME,
        'must be an action name of letters, digits, _ . : - starting with a letter or _',
      ),
    params: z
      .record(
        z.string().regex(FEATURE_NAME, 'must be a parameter name of letters, digits, _ . -'),
        z.union([
          z.string().max(MAX_STRING_VALUE_CHARS),
          z.number().refine(Number.isFinite),
          z.boolean(),
        ]),
      )
      .refine((p) => Object.keys(p).length <= 64, 'must have at most 64 parameters')
      .optional(),
  })
  .strict();

export const ruleSchema = z.object({ when: conditionSchema, then: actionSchema }).strict();
