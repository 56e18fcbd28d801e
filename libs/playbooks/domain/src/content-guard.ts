import type { Condition } from './condition.schema';
import { scanText, type ContentCategory } from './content-patterns';
import { describeRule } from './describe-rule';
import type { PlaybookEntry } from './entry.schema';
import { PlaybookError } from './playbook-error';
import type { PlaybookVersion } from './version.schema';

export interface GuardOptions {
  /** Characters an entry may render to (title, guidance, rationale, rule). */
  maxEntryChars?: number;
  /** Characters all non-retired entries together may render to: they share a system prompt. */
  maxTotalChars?: number;
  /** Non-retired entries a playbook may hold. */
  maxEntries?: number;
}

export const DEFAULT_GUARD_OPTIONS: Required<GuardOptions> = {
  maxEntryChars: 4_000,
  maxTotalChars: 60_000,
  maxEntries: 200,
};

export interface GuardViolation {
  category: ContentCategory | 'size';
  /** The entry at fault; absent for playbook-wide violations (total size, version message). */
  entryId?: string;
  /** e.g. `guidance`, `evidence[2].note`, `rule.then.params.label`, `entries` */
  field: string;
  message: string;
}

const n = (x: number) => x.toLocaleString('en-US');

/** Every piece of free text an entry carries, with the field it sits in. */
function textFields(entry: PlaybookEntry): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['title', entry.title],
    ['guidance', entry.guidance],
    ['rationale', entry.rationale],
  ];
  entry.evidence.forEach((e, i) => {
    if (e.note) fields.push([`evidence[${i}].note`, e.note]);
  });
  if (entry.retiredReason) fields.push(['retiredReason', entry.retiredReason]);
  if (entry.rule) {
    conditionStrings(entry.rule.when, 'rule.when', fields);
    for (const [k, v] of Object.entries(entry.rule.then.params ?? {}))
      if (typeof v === 'string') fields.push([`rule.then.params.${k}`, v]);
  }
  return fields;
}

function conditionStrings(c: Condition, path: string, out: Array<[string, string]>): void {
  if ('all' in c) c.all.forEach((x, i) => conditionStrings(x, `${path}.all[${i}]`, out));
  else if ('any' in c) c.any.forEach((x, i) => conditionStrings(x, `${path}.any[${i}]`, out));
  else if ('not' in c) conditionStrings(c.not, `${path}.not`, out);
  else if (typeof c.value === 'string') out.push([`${path}.value`, c.value]);
  else if (Array.isArray(c.value))
    c.value.forEach((v, i) => typeof v === 'string' && out.push([`${path}.value[${i}]`, v]));
}

/** How many characters the entry adds to a rendered playbook (what the size budget counts). */
export function entrySize(entry: PlaybookEntry): number {
  return (
    entry.title.length +
    entry.guidance.length +
    entry.rationale.length +
    (entry.rule ? describeRule(entry.rule).length : 0)
  );
}

/** Secrets, personal data and permission widening in one piece of text. */
export function guardText(text: string, field: string, entryId?: string): GuardViolation[] {
  const where = entryId ? `entry "${entryId}" ${field}` : field;
  return scanText(text).map((f) => ({
    category: f.category,
    entryId,
    field,
    message: `${where} contains ${f.what} ("${f.excerpt}"); ${f.advice}`,
  }));
}

/** What is wrong with one entry's content; empty when it may be stored. */
export function guardEntry(entry: PlaybookEntry, options: GuardOptions = {}): GuardViolation[] {
  const { maxEntryChars } = { ...DEFAULT_GUARD_OPTIONS, ...options };
  const violations = textFields(entry).flatMap(([field, text]) => guardText(text, field, entry.id));
  const size = entrySize(entry);
  if (size > maxEntryChars)
    violations.push({
      category: 'size',
      entryId: entry.id,
      field: 'guidance',
      message: `entry "${entry.id}" is ${n(size)} characters (title, guidance, rationale and rule); the budget is ${n(maxEntryChars)} per entry: shorten the guidance or split it into several entries`,
    });
  return violations;
}

/** Playbook-wide budgets: how many entries and how much text reach the model. */
export function guardBudget(
  entries: readonly PlaybookEntry[],
  options: GuardOptions = {},
): GuardViolation[] {
  const { maxTotalChars, maxEntries } = { ...DEFAULT_GUARD_OPTIONS, ...options };
  const live = entries.filter((e) => e.status !== 'retired');
  const violations: GuardViolation[] = [];
  if (live.length > maxEntries)
    violations.push({
      category: 'size',
      field: 'entries',
      message: `the playbook would have ${n(live.length)} proposed or active entries; the budget is ${n(maxEntries)}: merge or retire entries first`,
    });
  const total = live.reduce((sum, e) => sum + entrySize(e), 0);
  if (total > maxTotalChars)
    violations.push({
      category: 'size',
      field: 'entries',
      message: `the playbook's proposed and active entries would total ${n(total)} characters; the budget is ${n(maxTotalChars)}: merge or retire entries, or shorten their guidance`,
    });
  return violations;
}

/** Every entry, the version message and the budgets. */
export function guardVersion(
  version: Pick<PlaybookVersion, 'entries' | 'message'>,
  options: GuardOptions = {},
): GuardViolation[] {
  return [
    ...version.entries.flatMap((e) => guardEntry(e, options)),
    ...(version.message ? guardText(version.message, 'message') : []),
    ...guardBudget(version.entries, options),
  ];
}

/** Throws a `content_rejected` error listing every violation, or returns quietly. */
export function assertContentAllowed(violations: readonly GuardViolation[]): void {
  if (!violations.length) return;
  const [first] = violations;
  throw new PlaybookError(
    'content_rejected',
    `${first.message}${violations.length > 1 ? ` (and ${violations.length - 1} more problem${violations.length > 2 ? 's' : ''})` : ''}`,
    violations.map((v) => ({
      path: v.entryId ? `entries[${v.entryId}].${v.field}` : v.field,
      message: v.message,
    })),
  );
}
