import { tenantRegExp } from '@reverie/patterns';
import { linesToRanges, type LineRange } from './line-range';
import type { LineFeatures } from './line-features';
import {
  RULE_CONDITIONS,
  type LineCondition,
  type RuleAction,
  type TriageRule,
} from './triage-rule.schema';

/** A test of one line: its features, and whether it is in the answer so far. */
export type LinePredicate = (f: LineFeatures, selected: boolean) => boolean;
type Predicate = LinePredicate;

/**
 * A rule whose conditions are already functions. `TriageRule`s compile to it; rules written in
 * another shape (a playbook's condition trees over these features) are adapted to it by whoever
 * reads them, so the effect of an action is defined in one place.
 */
export interface LineRule {
  id: string;
  when: LinePredicate;
  then: { action: RuleAction; lines?: number; while?: LinePredicate };
}

type ConditionKey<K extends string> = Extract<(typeof RULE_CONDITIONS)[number], { kind: K }>['key'];
const keysOf = (kind: string) => RULE_CONDITIONS.flatMap((c) => (c.kind === kind ? [c.key] : []));
// The feature tests a condition may hold, read off RULE_CONDITIONS (`selected` is no feature: it
// tests the answer so far, below).
const RANGE_KEYS = keysOf('range') as ConditionKey<'range'>[];
const BOOLEAN_KEYS = keysOf('boolean').filter((k) => k !== 'selected') as Exclude<
  ConditionKey<'boolean'>,
  'selected'
>[];

/** Turns a validated condition into a test, compiling its regular expressions once. */
export function compileCondition(c: LineCondition): Predicate {
  const flags = c.ignoreCase ? 'i' : '';
  const tests: Predicate[] = [];
  if (c.lineMatches !== undefined) {
    const re = tenantRegExp(c.lineMatches, flags);
    tests.push((f) => re.test(f.text));
  }
  if (c.lineNotMatches !== undefined) {
    const re = tenantRegExp(c.lineNotMatches, flags);
    tests.push((f) => !re.test(f.text));
  }
  for (const key of BOOLEAN_KEYS) {
    const want = c[key];
    if (want !== undefined) tests.push((f) => f[key] === want);
  }
  if (c.selected !== undefined) tests.push((_f, selected) => selected === c.selected);
  for (const key of RANGE_KEYS) {
    const range = c[key];
    if (!range) continue;
    const { min = -Infinity, max = Infinity } = range;
    tests.push((f) => f[key] >= min && f[key] <= max);
  }
  return (f, selected) => tests.every((t) => t(f, selected));
}

export interface RuleEffect {
  ruleId: string;
  action: TriageRule['then']['action'];
  /** Lines whose features met `when`. */
  matched: number;
  added: LineRange[];
  removed: LineRange[];
}

/** A validated rule with its conditions compiled. */
export function compileRule(rule: TriageRule): LineRule {
  return {
    id: rule.id,
    when: compileCondition(rule.when),
    then: {
      action: rule.then.action,
      lines: rule.then.lines,
      while: rule.then.while ? compileCondition(rule.then.while) : undefined,
    },
  };
}

/**
 * Applies one rule to the selected line numbers (mutating `selected`). Conditions are judged on
 * the selection as it was before the rule, so a rule's effect does not depend on line order. An
 * exclude never leaves the answer empty, or with only status and blank lines
 * (`leavesNothingToRead`).
 */
export function applyRule(
  rule: TriageRule,
  features: readonly LineFeatures[],
  selected: Set<number>,
): RuleEffect {
  return applyLineRule(compileRule(rule), features, selected);
}

/**
 * A failed build's log says somewhere why it failed, so an answer with nothing that could say why
 * is never right: an exclude that would remove every selected line, or every selected line but
 * status lines (`Finished: FAILURE`, an exit code) and blank ones, removes none. A lone `fatal:`
 * line is what a rule learned on logs where lone lines are summaries would otherwise take away,
 * and what would be left is the build's status, never the reason.
 */
function leavesNothingToRead(
  touched: ReadonlySet<number>,
  features: readonly LineFeatures[],
  selected: ReadonlySet<number>,
): boolean {
  let hit = 0;
  let reasonsHit = 0;
  for (const n of touched) {
    if (!selected.has(n)) continue;
    hit++;
    if (saysWhy(features[n - 1])) reasonsHit++;
  }
  if (hit === 0) return false;
  if (hit === selected.size) return true;
  if (reasonsHit === 0) return false;
  let reasons = 0;
  for (const n of selected) if (saysWhy(features[n - 1])) reasons++;
  return reasons === reasonsHit;
}

const saysWhy = (f: LineFeatures) => !f.isStatusLine && !f.isBlank;

/** `applyRule` for a rule whose conditions are already functions. */
export function applyLineRule(
  rule: LineRule,
  features: readonly LineFeatures[],
  selected: Set<number>,
): RuleEffect {
  // Conditions read `selected` as it was before the rule: nothing changes it until every line
  // has been judged.
  const before: ReadonlySet<number> = selected;
  const when = rule.when;
  const keepGoing = rule.then.while ?? (() => true);
  const reach = rule.then.lines ?? 1;
  const touched = new Set<number>();
  let matched = 0;

  features.forEach((f, i) => {
    if (!when(f, before.has(f.lineNumber))) return;
    matched++;
    touched.add(f.lineNumber);
    const step = rule.then.action === 'include_preceding' ? -1 : 1;
    if (rule.then.action === 'include' || rule.then.action === 'exclude') return;
    for (let k = 1, j = i + step; k <= reach && j >= 0 && j < features.length; k++, j += step) {
      const g = features[j];
      if (!keepGoing(g, before.has(g.lineNumber))) break;
      touched.add(g.lineNumber);
    }
  });

  const removing = rule.then.action === 'exclude' || rule.then.action === 'exclude_following';
  const changed: number[] = [];
  for (const n of removing && leavesNothingToRead(touched, features, selected) ? [] : touched) {
    if (removing && selected.delete(n)) changed.push(n);
    else if (!removing && !selected.has(n)) {
      selected.add(n);
      changed.push(n);
    }
  }
  const ranges = linesToRanges(changed);
  return {
    ruleId: rule.id,
    action: rule.then.action,
    matched,
    added: removing ? [] : ranges,
    removed: removing ? ranges : [],
  };
}
