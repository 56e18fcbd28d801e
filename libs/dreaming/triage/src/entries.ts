import type { Action, Condition, PlaybookRule, Rule } from '@reverie/playbooks-domain';
import type { TriageCandidate } from './search';

/** A playbook entry the dreamer can propose (`add` delta content), with its training evidence. */
export interface TriageEntryDraft {
  title: string;
  /** The rule in words, for a model to follow. */
  guidance: string;
  /** The training numbers behind it, for the people who review it. */
  rationale: string;
  /** Training cases whose F1 the rule changed; the dreamer maps them to their sessions. */
  evidence: { caseId: string; delta: number }[];
  rule: Rule;
}

const OPS: Record<string, string> = {
  eq: 'is',
  ne: 'is not',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
  in: 'in',
};

/** A condition in words: `text matches /^\[ERROR\]/ and inPassLog is false`. */
export function describeCondition(c: Condition): string {
  if ('all' in c) return c.all.map(describeCondition).join(' and ');
  if ('any' in c) return `(${c.any.map(describeCondition).join(' or ')})`;
  if ('not' in c) return `not (${describeCondition(c.not)})`;
  if (c.op === 'matches') return `${c.feature} matches /${String(c.value)}/`;
  if (c.op === 'exists') return `${c.feature} is known`;
  return `${c.feature} ${OPS[c.op]} ${JSON.stringify(c.value)}`;
}

/** An action in words: `include the line and up to 3 following`. */
export function describeAction(a: Action): string {
  const n = a.params?.['lines'] ?? 1;
  switch (a.action) {
    case 'include_following':
      return `include the line and up to ${n} following`;
    case 'include_preceding':
      return `include the line and up to ${n} preceding`;
    case 'exclude_following':
      return `exclude the line and up to ${n} following`;
    default:
      return `${a.action} the line`;
  }
}

/** A rule in one line: `when <condition>: <action>`. */
export function describeRule(rule: Rule): string {
  return `when ${describeCondition(rule.when)}: ${describeAction(rule.then)}`;
}

const pct = (x: number) => x.toFixed(3);

/** Entry drafts for search candidates, one per rule, in the order given. */
export function toTriageEntries(candidates: readonly TriageCandidate[]): TriageEntryDraft[] {
  return candidates.map((c) => {
    const rule: Rule = { when: c.rule.when, then: c.rule.then };
    const words = describeRule(rule);
    const shift = (d: { caseId: string; delta: number }) =>
      `${d.caseId} ${d.delta > 0 ? '+' : ''}${pct(d.delta)}`;
    return {
      title: `CI log triage: ${words}`.slice(0, 200),
      guidance: `For each line of the failed build log, ${words}. Apply it after the earlier rules.`,
      rationale:
        `Training macro F1 ${pct(c.before)} -> ${pct(c.after)} over the rules before it. ` +
        `Gained: ${c.gained.map(shift).join(', ') || 'none'}. Lost: ${c.lost.map(shift).join(', ') || 'none'}.`,
      evidence: [...c.gained, ...c.lost].map((d) => ({ caseId: d.caseId, delta: d.delta })),
      rule,
    };
  });
}

/** The draft's rule as a playbook rule, for running it before it is stored. */
export function draftRule(draft: TriageEntryDraft, entryId: string): PlaybookRule {
  return { entryId, title: draft.title, ...draft.rule };
}
