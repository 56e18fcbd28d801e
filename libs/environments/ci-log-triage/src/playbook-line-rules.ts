import { tenantRegExp } from '@reverie/patterns';
import {
  conditionProblems,
  type Condition,
  type FeatureTest,
  type PlaybookRule,
  type Scalar,
} from '@reverie/playbooks-domain';
import type { LinePredicate, LineRule } from './apply-rule';
import type { LineFeatures } from './line-features';
import {
  MAX_RULE_REACH,
  RULE_ACTIONS,
  RULE_CONDITIONS,
  type RuleAction,
} from './triage-rule.schema';

/**
 * The features a playbook rule's `when` can name for ci-log-triage: those of `LineFeatures` (see
 * `computeLineFeatures`) plus `selected` (the line is in the answer so far).
 */
export const TRIAGE_RULE_FEATURES: readonly (keyof LineFeatures | 'selected')[] = [
  'text',
  // Every feature a structured rule's condition can test: the `lineMatches`-style regex
  // conditions and their `ignoreCase` flag read `text`, the rest are features themselves.
  ...RULE_CONDITIONS.flatMap((c) => (c.kind === 'boolean' || c.kind === 'range' ? [c.key] : [])),
];

const FEATURES = new Set<string>(TRIAGE_RULE_FEATURES);
const ACTIONS = new Map(RULE_ACTIONS.map((a) => [a.action as string, a]));

export interface SkippedRule {
  entryId: string;
  reason: string;
}

export interface AdaptedRules {
  rules: LineRule[];
  /** Rules this environment cannot run, with why; the session runs without them. */
  skipped: SkippedRule[];
}

/**
 * Adapts a playbook's structured rules (general condition trees over named features, an action
 * with scalar params) to ci-log-triage line rules: `when` is evaluated with the playbook's own
 * evaluator over each line's features, `then.action` must be one of the triage `RULE_ACTIONS`,
 * and `params.lines` is the reach of the actions that reach. A rule that names something the
 * environment does not have is skipped with a reason rather than failing the session: a playbook
 * may carry rules for other environments, and one bad entry should not stop an agent working.
 */
export function toLineRules(rules: readonly PlaybookRule[]): AdaptedRules {
  const adapted: LineRule[] = [];
  const skipped: SkippedRule[] = [];
  for (const rule of rules) {
    const problem = ruleProblem(rule);
    if (problem) {
      skipped.push({ entryId: rule.entryId, reason: problem });
      continue;
    }
    const when = rule.when;
    const lines = rule.then.params?.['lines'] as number | undefined;
    adapted.push({
      id: rule.entryId,
      when: compileLineCondition(when),
      then: { action: rule.then.action as RuleAction, ...(lines !== undefined ? { lines } : {}) },
    });
  }
  return { rules: adapted, skipped };
}

/**
 * A valid condition over line features as one function, its regular expressions compiled once.
 * Means exactly what the playbook's `evaluate(condition, { ...features, selected })` means (a
 * comparison with a number that is not finite, such as the distance to a marker in a log without
 * one, is false), without building an object per line: a reflector scores hundreds of rule sets
 * over tens of thousands of lines.
 */
export function compileLineCondition(c: Condition): LinePredicate {
  if ('all' in c) {
    const parts = c.all.map(compileLineCondition);
    if (parts.length === 2) {
      const [a, b] = parts;
      return (f, s) => a(f, s) && b(f, s);
    }
    return (f, s) => {
      for (const p of parts) if (!p(f, s)) return false;
      return true;
    };
  }
  if ('any' in c) {
    const parts = c.any.map(compileLineCondition);
    return (f, s) => parts.some((p) => p(f, s));
  }
  if ('not' in c) {
    const inner = compileLineCondition(c.not);
    return (f, s) => !inner(f, s);
  }
  const read =
    c.feature === 'selected'
      ? (_f: LineFeatures, s: boolean) => s
      : (f: LineFeatures) => (f as unknown as Record<string, unknown>)[c.feature];
  const test = compileTest(c);
  return (f, s) => {
    const actual = read(f, s);
    return actual !== undefined && actual !== null && test(actual);
  };
}

function compileTest(t: FeatureTest): (actual: unknown) => boolean {
  const num = (a: unknown) => (typeof a === 'number' && Number.isFinite(a) ? a : undefined);
  const v = t.value as number;
  switch (t.op) {
    case 'exists':
      return () => true;
    case 'eq':
      return (a) => a === t.value;
    case 'ne':
      return (a) => a !== t.value;
    case 'lt':
      return (a) => num(a) !== undefined && (a as number) < v;
    case 'lte':
      return (a) => num(a) !== undefined && (a as number) <= v;
    case 'gt':
      return (a) => num(a) !== undefined && (a as number) > v;
    case 'gte':
      return (a) => num(a) !== undefined && (a as number) >= v;
    case 'in': {
      const values = t.value as Scalar[];
      return (a) => values.includes(a as Scalar);
    }
    case 'matches': {
      const re = tenantRegExp(t.value as string);
      return (a) => typeof a === 'string' && re.test(a);
    }
  }
}

function ruleProblem(rule: PlaybookRule): string | null {
  const invalid = conditionProblems(rule.when);
  if (invalid.length) return `${invalid[0].path} ${invalid[0].message}`;
  const unknown = [...featureNames(rule.when)].filter((name) => !FEATURES.has(name));
  if (unknown.length)
    return `when names ${unknown.map((n) => `"${n}"`).join(', ')}, which ci-log-triage does not observe; use ${TRIAGE_RULE_FEATURES.join(', ')}`;
  const action = ACTIONS.get(rule.then.action);
  if (!action)
    return `then.action "${rule.then.action}" is not a ci-log-triage action; use ${[...ACTIONS.keys()].join(', ')}`;
  for (const [name, value] of Object.entries(rule.then.params ?? {})) {
    if (name !== 'lines') return `then.params.${name} is not a parameter of ${action.action}`;
    if (!action.reaches) return `then.params.lines does not apply to ${action.action}`;
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 1 ||
      value > MAX_RULE_REACH
    )
      return `then.params.lines must be a whole number from 1 to ${MAX_RULE_REACH}, not ${JSON.stringify(value)}`;
  }
  return null;
}

function featureNames(condition: Condition, into = new Set<string>()): Set<string> {
  if ('all' in condition) condition.all.forEach((c) => featureNames(c, into));
  else if ('any' in condition) condition.any.forEach((c) => featureNames(c, into));
  else if ('not' in condition) featureNames(condition.not, into);
  else into.add(condition.feature);
  return into;
}
