import { learnedFromSchema, type LearnedFrom, type TaskRef } from '@reverie/playbooks-domain';
import { z } from 'zod';
import { CliError } from '../api.client';

export type { LearnedFrom };

/**
 * A playbook file's `learnedFrom` (none when absent), refused (exit 2) when malformed. `dream
 * --offline` and the dreamer service write it: what the dreams that changed the playbook's rules
 * learned from (training split) and chose on (validation split), one record an input; `eval`
 * reads it to say which of the tasks it scores are not held-out for that playbook.
 */
export function learnedFromOf(file: string, json: unknown): LearnedFrom[] {
  const list = (json as { learnedFrom?: unknown } | null)?.learnedFrom;
  if (list === undefined || list === null) return [];
  const parsed = z.array(learnedFromSchema).safeParse(list);
  if (!parsed.success)
    throw new CliError(
      `${file}: "learnedFrom" must be a list of {environment, input, train, validation} (as dream --offline and GET /v1/agents/:id/playbook write it; train and validation list {id, digest} of tasks), or left out`,
      2,
    );
  return parsed.data;
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
