import type { PlaybookEntry } from './entry.schema';
import { DIFF_FIELDS, type EntryChange, type PlaybookDiff } from './version.schema';

/** Key-order-independent JSON, so two equal values always compare equal. */
export function stableJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Per-field changes of one entry; timestamps are bookkeeping and never count as a change. */
export function entryChanges(before: PlaybookEntry, after: PlaybookEntry): EntryChange['changes'] {
  return DIFF_FIELDS.filter((f) => stableJson(before[f]) !== stableJson(after[f])).map((field) => ({
    field,
    before: structuredClone(before[field]),
    after: structuredClone(after[field]),
  }));
}

/**
 * What changed from `a` to `b`: entries added, removed (only a rollback removes) and changed, in
 * `b`'s order (removed ones in `a`'s). Retiring shows as a change of `status`.
 */
export function diffVersions(
  a: { entries: readonly PlaybookEntry[] },
  b: { entries: readonly PlaybookEntry[] },
): PlaybookDiff {
  const before = new Map(a.entries.map((e) => [e.id, e]));
  const afterIds = new Set(b.entries.map((e) => e.id));
  const diff: PlaybookDiff = { added: [], removed: [], changed: [] };
  for (const entry of b.entries) {
    const old = before.get(entry.id);
    if (!old) {
      diff.added.push({ id: entry.id, title: entry.title });
      continue;
    }
    const changes = entryChanges(old, entry);
    if (changes.length) diff.changed.push({ id: entry.id, title: entry.title, changes });
  }
  for (const entry of a.entries)
    if (!afterIds.has(entry.id)) diff.removed.push({ id: entry.id, title: entry.title });
  return diff;
}

export function isEmptyDiff(diff: PlaybookDiff): boolean {
  return !diff.added.length && !diff.removed.length && !diff.changed.length;
}

/** One line for a version message or a report: `2 added, 1 retired, 3 changed`. */
export function summarizeDiff(diff: PlaybookDiff): string {
  const retired = diff.changed.filter((c) =>
    c.changes.some((ch) => ch.field === 'status' && ch.after === 'retired'),
  ).length;
  const parts = [
    diff.added.length && `${diff.added.length} added`,
    diff.removed.length && `${diff.removed.length} removed`,
    retired && `${retired} retired`,
    diff.changed.length - retired && `${diff.changed.length - retired} changed`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no changes';
}
