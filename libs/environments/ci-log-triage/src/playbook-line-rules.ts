import {
  conditionProblems,
  evaluate,
  type Condition,
  type PlaybookRule,
} from '@reverie/playbooks-domain';
import type { LineRule } from './apply-rule';
import type { LineFeatures } from './line-features';
import { MAX_RULE_REACH, RULE_ACTIONS, type RuleAction } from './triage-rule.schema';

/**
 * The features a playbook rule's `when` can name for ci-log-triage: those of `LineFeatures` (see
 * `computeLineFeatures`) plus `selected` (the line is in the answer so far).
 */
export const TRIAGE_RULE_FEATURES = [
  'lineNumber',
  'fromEnd',
  'relativePosition',
  'text',
  'indent',
  'isBlank',
  'isMarker',
  'isStackFrame',
  'inPassLog',
  'distanceAfterMarker',
  'distanceBeforeMarker',
  'selected',
] as const satisfies readonly (keyof LineFeatures | 'selected')[];

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
      when: (f, selected) => evaluate(when, { ...f, selected }),
      then: { action: rule.then.action as RuleAction, ...(lines !== undefined ? { lines } : {}) },
    });
  }
  return { rules: adapted, skipped };
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
