import type { SplitTasks } from '@reverie/dreaming-feature';
import { CliError } from '../api.client';

/**
 * What an offline dream that changed a playbook read to make the change: the tasks it learned
 * from (training split) and chose on (validation split), by id. `dream --offline` writes the
 * list into the playbook file (`learnedFrom`, one record a dream run, the earliest first);
 * `eval` reads it to say which of the cases it scores are not held-out for that playbook.
 */
export interface LearnedFrom {
  environment: string;
  /** The `--cases` folder or `--scenarios` file, as given. */
  input: string;
  train: string[];
  validation: string[];
}

/** A playbook file's `learnedFrom` (none when absent), refused (exit 2) when malformed. */
export function learnedFromOf(file: string, json: unknown): LearnedFrom[] {
  const list = (json as { learnedFrom?: unknown } | null)?.learnedFrom;
  if (list === undefined || list === null) return [];
  const bad = () =>
    new CliError(
      `${file}: "learnedFrom" must be a list of {environment, input, train, validation} (as dream --offline writes it; the lists hold task ids), or left out`,
      2,
    );
  if (!Array.isArray(list)) throw bad();
  return list.map((r: unknown) => {
    const x = r as Record<string, unknown> | null;
    const ids = (v: unknown) => Array.isArray(v) && v.every((id) => typeof id === 'string');
    if (
      typeof x !== 'object' ||
      x === null ||
      typeof x.environment !== 'string' ||
      typeof x.input !== 'string' ||
      !ids(x.train) ||
      !ids(x.validation)
    )
      throw bad();
    return {
      environment: x.environment,
      input: x.input,
      train: x.train as string[],
      validation: x.validation as string[],
    };
  });
}

/** The record of one offline dream run over `input` (none when its tasks have no ids). */
export function learnedRecord(
  environment: string,
  input: string,
  splits: SplitTasks | null,
): LearnedFrom[] {
  return splits ? [{ environment, input, train: splits.train, validation: splits.validation }] : [];
}

/** `earlier` then `added`, a record equal to one already listed only once. */
export function withRecords(earlier: readonly LearnedFrom[], added: readonly LearnedFrom[]) {
  const out = [...earlier];
  const key = (l: LearnedFrom) => JSON.stringify([l.environment, l.input, l.train, l.validation]);
  for (const l of added) if (!out.some((o) => key(o) === key(l))) out.push(l);
  return out;
}

/** Which of `ids` a playbook was learned from or chosen on: not held-out for it. */
export interface SeenTasks {
  train: string[];
  validation: string[];
}

export function seenTasks(learned: readonly LearnedFrom[], ids: readonly string[]): SeenTasks {
  const train = new Set(learned.flatMap((l) => l.train));
  const validation = new Set(learned.flatMap((l) => l.validation));
  return {
    train: ids.filter((id) => train.has(id)),
    // A task some dream trained on is counted there, not twice.
    validation: ids.filter((id) => validation.has(id) && !train.has(id)),
  };
}

const listed = (ids: readonly string[]) =>
  ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');

/**
 * The note `eval` prints when some of its `noun`s (cases, scenarios) are ones the playbooks in
 * `files` (a team's, one a role) were learned from or chosen on, by id: their numbers flatter
 * them. Null when none is.
 */
export function seenNote(
  files: readonly string[],
  seen: SeenTasks,
  total: number,
  noun: string,
  show: (id: string) => string = (id) => id,
): string | null {
  const parts = [
    seen.train.length
      ? `learned from ${seen.train.length} (training split: ${listed(seen.train.map(show))})`
      : '',
    seen.validation.length
      ? `chose on ${seen.validation.length} (validation split: ${listed(seen.validation.map(show))})`
      : '',
  ].filter(Boolean);
  if (!parts.length) return null;
  const held = total - seen.train.length - seen.validation.length;
  const it = files.length > 1 ? 'them' : 'it';
  return `${files.join(', ')}: of these ${total} ${noun}, the dreams that wrote ${it} ${parts.join(' and ')}, by id; their numbers are not held-out and flatter ${it}: ${held ? `judge ${it} by the other ${held}` : `none of these ${noun} is held-out for ${it}`}`;
}
