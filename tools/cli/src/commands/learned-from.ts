import type { SplitTasks, TaskRef } from '@reverie/dreaming-feature';
import { CliError } from '../api.client';

/**
 * What an offline dream that changed a playbook's rules read to make the change: the tasks it
 * learned from (training split) and chose on (validation split), each by id and content digest.
 * `dream --offline` writes the list into the playbook file (`learnedFrom`, one record a dream
 * run, the earliest first); `eval` reads it to say which of the tasks it scores are not held-out
 * for that playbook.
 */
export interface LearnedFrom {
  environment: string;
  /** The `--cases` folder or `--scenarios` file, as given. */
  input: string;
  train: TaskRef[];
  validation: TaskRef[];
}

const isRef = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as TaskRef).id === 'string' &&
  typeof (v as TaskRef).digest === 'string';

/** A playbook file's `learnedFrom` (none when absent), refused (exit 2) when malformed. */
export function learnedFromOf(file: string, json: unknown): LearnedFrom[] {
  const list = (json as { learnedFrom?: unknown } | null)?.learnedFrom;
  if (list === undefined || list === null) return [];
  const bad = () =>
    new CliError(
      `${file}: "learnedFrom" must be a list of {environment, input, train, validation} (as dream --offline writes it; train and validation list {id, digest} of tasks), or left out`,
      2,
    );
  if (!Array.isArray(list)) throw bad();
  return list.map((r: unknown) => {
    const x = r as Record<string, unknown> | null;
    const refs = (v: unknown) => Array.isArray(v) && v.every(isRef);
    if (
      typeof x !== 'object' ||
      x === null ||
      typeof x.environment !== 'string' ||
      typeof x.input !== 'string' ||
      !refs(x.train) ||
      !refs(x.validation)
    )
      throw bad();
    const only = (v: unknown) => (v as TaskRef[]).map(({ id, digest }) => ({ id, digest }));
    return {
      environment: x.environment,
      input: x.input,
      train: only(x.train),
      validation: only(x.validation),
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

/**
 * Which of the tasks scored a playbook was learned from or chose on (ids as the caller names
 * them), matched by content digest; the others, held-out for it; and the inputs of the dreams
 * that saw some.
 */
export interface SeenTasks {
  train: string[];
  validation: string[];
  heldOut: string[];
  inputs: string[];
}

/** `tasks`: the tasks scored, as `taskRefs` gives them (digested once, however many playbooks). */
export function seenTasks(learned: readonly LearnedFrom[], tasks: readonly TaskRef[]): SeenTasks {
  const train = new Set(learned.flatMap((l) => l.train.map((t) => t.digest)));
  const validation = new Set(learned.flatMap((l) => l.validation.map((t) => t.digest)));
  const out: SeenTasks = { train: [], validation: [], heldOut: [], inputs: [] };
  const digests = new Set<string>();
  for (const { id, digest } of tasks) {
    digests.add(digest);
    // A task some dream trained on is counted there, not twice.
    if (train.has(digest)) out.train.push(id);
    else if (validation.has(digest)) out.validation.push(id);
    else out.heldOut.push(id);
  }
  out.inputs = [
    ...new Set(
      learned
        .filter((l) => [...l.train, ...l.validation].some((t) => digests.has(t.digest)))
        .map((l) => l.input),
    ),
  ];
  return out;
}

const listed = (ids: readonly string[]) =>
  ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');

/**
 * The note `eval` prints when some of its `noun`s (cases, scenarios) are ones the playbooks in
 * `files` (a team's, one a role) were learned from or chosen on: their numbers flatter them.
 * Null when none is.
 */
export function seenNote(
  files: readonly string[],
  seen: SeenTasks,
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
  const it = files.length > 1 ? 'them' : 'it';
  const total = seen.train.length + seen.validation.length + seen.heldOut.length;
  const judge = seen.heldOut.length
    ? `judge ${it} by the other ${seen.heldOut.length} (${listed(seen.heldOut.map(show))})`
    : `none of these ${noun} is held-out for ${it}`;
  return `${files.join(', ')}: of these ${total} ${noun}, the dreams that wrote ${it} (on ${seen.inputs.join(', ')}) ${parts.join(' and ')}, the same ${noun} by content; their numbers are not held-out and flatter ${it}: ${judge}`;
}
