import { createHash } from 'node:crypto';
import type { z } from 'zod';
import {
  assertContentAllowed,
  guardBudget,
  guardEntry,
  guardText,
  type GuardOptions,
} from './content-guard';
import { deltaSchema, type Delta, type EntryPatch, type ParsedDelta } from './delta.schema';
import { diffVersions, isEmptyDiff, stableJson } from './diff-versions';
import { playbookEntrySchema, type Evidence, type PlaybookEntry } from './entry.schema';
import { mergeLearnedFrom, type LearnedFrom } from './learned-from';
import { formatPath, PlaybookError, type PlaybookProblem } from './playbook-error';
import type { Author, PlaybookBase, PlaybookVersion } from './version.schema';

export interface ApplyOptions {
  /** `active` when the change takes effect now (default), `proposed` when a person must approve. */
  status?: 'active' | 'proposed';
  message?: string;
  /**
   * The new version's number; defaults to the base's + 1. Pass the next free number when another
   * version (a pending proposal) already took base + 1.
   */
  version?: number;
  guard?: GuardOptions;
  /**
   * What the dream making this change learned from and chose on, folded into the base's records
   * (`mergeLearnedFrom`); leave it out for a change that alters no rule (counters, a person's edit).
   */
  learnedFrom?: readonly LearnedFrom[];
}

/** A content-derived id: the same title and guidance always get the same id. */
export function deriveEntryId(entry: { title: string; guidance: string }): string {
  const hash = createHash('sha256')
    .update(`${entry.title.trim()}\u0000${entry.guidance.trim()}`)
    .digest('hex');
  return `pb-${hash.slice(0, 12)}`;
}

export const toIso = (now: Date | string) =>
  (typeof now === 'string' ? new Date(now) : now).toISOString();

function parseDeltas(deltas: readonly Delta[]): ParsedDelta[] {
  if (!Array.isArray(deltas) || deltas.length === 0)
    throw new PlaybookError(
      'no_change',
      'no deltas given; send at least one add, update, merge, retire or record_outcome',
    );
  return deltas.map((d, i) => {
    const parsed = deltaSchema.safeParse(d);
    if (parsed.success) return parsed.data;
    throw invalid(parsed.error, `deltas[${i}]`);
  });
}

function invalid(error: z.ZodError, prefix: string): PlaybookError {
  const details: PlaybookProblem[] = error.issues.map((issue) => ({
    path: formatPath(issue.path, prefix),
    message: issue.message,
  }));
  const [first] = details;
  return new PlaybookError(
    'invalid_delta',
    `invalid ${first.path}: ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}`,
    details,
  );
}

function dedupeEvidence(list: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = stableJson(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function applyPatch(
  entry: PlaybookEntry,
  patch: EntryPatch | undefined,
  now: string,
): PlaybookEntry {
  if (!patch) return { ...entry, updatedAt: now };
  const { addEvidence, rule, ...fields } = patch;
  const next: PlaybookEntry = { ...entry, ...structuredClone(fields), updatedAt: now };
  if (rule === null) delete next.rule;
  else if (rule !== undefined) next.rule = structuredClone(rule);
  if (addEvidence)
    next.evidence = dedupeEvidence([...next.evidence, ...structuredClone(addEvidence)]);
  return next;
}

/**
 * Applies deltas, in order, to `base` and returns the next version. Inputs are never changed; the
 * result shares no objects with them. Throws a `PlaybookError` naming the delta at fault, and a
 * `content_rejected` one when an entry the deltas touch (or the playbook as a whole) breaks the
 * content guards.
 */
export function applyDeltas(
  base: PlaybookBase,
  deltas: readonly Delta[],
  author: Author,
  now: Date | string,
  options: ApplyOptions = {},
): PlaybookVersion {
  const at = toIso(now);
  const entries: PlaybookEntry[] = structuredClone(base.entries) as PlaybookEntry[];
  const index = new Map(entries.map((e, i) => [e.id, i]));

  const find = (id: string, where: string, verb: string): PlaybookEntry => {
    const i = index.get(id);
    if (i === undefined)
      throw new PlaybookError(
        'entry_not_found',
        `${where}: no entry "${id}" in playbook ${base.playbookId} version ${base.version}; list the entries with their ids and ${verb} one of those`,
      );
    return entries[i];
  };
  const live = (id: string, where: string, verb: string): PlaybookEntry => {
    const entry = find(id, where, verb);
    if (entry.status === 'retired')
      throw new PlaybookError(
        'entry_retired',
        `${where}: entry "${id}" is retired${entry.mergedInto ? ` (merged into "${entry.mergedInto}")` : ''} and cannot be ${verb}d; add a new entry, or roll back to a version where it was active`,
      );
    return entry;
  };
  const put = (entry: PlaybookEntry) => {
    entries[index.get(entry.id) as number] = entry;
  };

  parseDeltas(deltas).forEach((delta, i) => {
    const where = `deltas[${i}] (${delta.kind})`;
    switch (delta.kind) {
      case 'add': {
        const { id: given, ...fields } = delta.entry;
        const id = given ?? deriveEntryId(fields);
        if (index.has(id))
          throw new PlaybookError(
            'duplicate_entry',
            given
              ? `${where}: an entry with id "${id}" already exists; choose another id, or send an update delta to change it`
              : `${where}: an entry with the same title and guidance already exists ("${id}"); send an update or record_outcome delta for it instead`,
          );
        index.set(id, entries.length);
        entries.push({ id, ...structuredClone(fields), createdAt: at, updatedAt: at });
        return;
      }
      case 'update':
        put(applyPatch(live(delta.id, where, 'update'), delta.patch, at));
        return;
      case 'retire': {
        const entry = live(delta.id, where, 'retire');
        put({
          ...entry,
          status: 'retired',
          retiredReason: delta.reason ?? entry.retiredReason,
          updatedAt: at,
        });
        return;
      }
      case 'record_outcome': {
        // Counters may still grow on a retired entry: sessions that ran with it report late.
        const entry = find(delta.id, where, 'record an outcome for');
        put({
          ...entry,
          helpful: entry.helpful + delta.helpful,
          harmful: entry.harmful + delta.harmful,
          updatedAt: at,
        });
        return;
      }
      case 'merge': {
        const seen = new Set<string>();
        for (const id of delta.from) {
          if (id === delta.into)
            throw new PlaybookError(
              'invalid_delta',
              `${where}: "${id}" is both the entry merged into and one merged from; list it only as "into"`,
            );
          if (seen.has(id))
            throw new PlaybookError('invalid_delta', `${where}: "${id}" is listed twice in "from"`);
          seen.add(id);
        }
        const target = live(delta.into, where, 'merge');
        const sources = delta.from.map((id) => live(id, where, 'merge'));
        const merged = applyPatch(target, delta.patch, at);
        merged.evidence = dedupeEvidence([
          ...merged.evidence,
          ...sources.flatMap((s) => structuredClone(s.evidence)),
        ]);
        merged.helpful += sources.reduce((sum, s) => sum + s.helpful, 0);
        merged.harmful += sources.reduce((sum, s) => sum + s.harmful, 0);
        put(merged);
        for (const s of sources)
          put({
            ...s,
            status: 'retired',
            mergedInto: delta.into,
            retiredReason: delta.reason ?? `merged into "${delta.into}"`,
            updatedAt: at,
          });
        return;
      }
    }
  });

  const diff = diffVersions(base, { entries });
  if (isEmptyDiff(diff))
    throw new PlaybookError(
      'no_change',
      `these deltas leave playbook ${base.playbookId} version ${base.version} unchanged; nothing to save`,
    );

  const touched = new Set([...diff.added, ...diff.changed].map((e) => e.id));
  entries.forEach((e, i) => {
    if (!touched.has(e.id)) return;
    const parsed = playbookEntrySchema.safeParse(e);
    if (!parsed.success) throw invalid(parsed.error, `entries[${i}]`);
  });
  assertContentAllowed([
    ...entries.filter((e) => touched.has(e.id)).flatMap((e) => guardEntry(e, options.guard)),
    ...guardBudget(entries, options.guard),
  ]);

  return buildVersion(base, entries, author, at, diff, options);
}

function buildVersion(
  base: PlaybookBase,
  entries: PlaybookEntry[],
  author: Author,
  at: string,
  diff: PlaybookVersion['diff'],
  options: ApplyOptions,
): PlaybookVersion {
  const version = options.version ?? base.version + 1;
  if (!Number.isInteger(version) || version <= base.version)
    throw new PlaybookError(
      'invalid_delta',
      `the new version number must be an integer above ${base.version}, not ${version}`,
    );
  if (options.message) assertContentAllowed(guardText(options.message, 'message'));
  const learnedFrom = mergeLearnedFrom(base.learnedFrom ?? [], options.learnedFrom ?? []);
  return {
    playbookId: base.playbookId,
    agentId: base.agentId,
    ...(base.role !== undefined && { role: base.role }),
    version,
    parentVersion: base.version === 0 ? null : base.version,
    author: { ...author },
    ...(options.message !== undefined && { message: options.message }),
    createdAt: at,
    entries,
    status: options.status ?? 'active',
    diff,
    ...(learnedFrom.length ? { learnedFrom } : {}),
  };
}
