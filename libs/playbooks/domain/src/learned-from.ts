import { z } from 'zod';

/**
 * A task (a scenario, a case) as a dream's split names it: its id, and a digest of its content
 * (everything but the id), so another task under the same id is not taken for it.
 */
export const taskRefSchema = z.object({ id: z.string().max(512), digest: z.string().max(128) });
export type TaskRef = z.infer<typeof taskRefSchema>;

/**
 * What the dreams that changed a playbook's rules read to make the change: the tasks they learned
 * from (training split) and chose on (validation split), on one input (an offline `--cases`
 * folder or `--scenarios` file, or an agent's sessions for the dreamer service). `eval` reads it
 * to say which of the tasks it scores are not held-out for the playbook.
 */
export const learnedFromSchema = z.object({
  environment: z.string().max(128),
  /** The input, as given (`--cases DIR`, `--scenarios FILE`, `sessions of agent ...`). */
  input: z.string().max(4_096),
  train: z.array(taskRefSchema),
  validation: z.array(taskRefSchema),
});
export type LearnedFrom = z.infer<typeof learnedFromSchema>;

/**
 * The most tasks a record keeps of each split: a version is one document, and an agent that flies
 * ever new scenarios must not grow it without end. Past it, a record keeps the latest tasks.
 */
export const MAX_LEARNED_TASKS = 5_000;

/**
 * `earlier` with `added` folded in: a record on the same environment and input as one listed
 * adds its tasks to that one (each digest once), so a playbook that many dreams wrote on the same
 * input holds one record whose size is bounded by that input's tasks, not by the number of dreams
 * (and by MAX_LEARNED_TASKS a split, the latest kept).
 */
export function mergeLearnedFrom(
  earlier: readonly LearnedFrom[],
  added: readonly LearnedFrom[],
): LearnedFrom[] {
  const out = earlier.map((l) => ({ ...l, train: [...l.train], validation: [...l.validation] }));
  for (const l of added) {
    const same = out.find((o) => o.environment === l.environment && o.input === l.input);
    if (!same) {
      out.push({ ...l, train: unionRefs([], l.train), validation: unionRefs([], l.validation) });
      continue;
    }
    same.train = unionRefs(same.train, l.train);
    same.validation = unionRefs(same.validation, l.validation);
  }
  return out;
}

function unionRefs(a: readonly TaskRef[], b: readonly TaskRef[]): TaskRef[] {
  const seen = new Set(a.map((t) => t.digest));
  return [...a, ...b.filter((t) => !seen.has(t.digest) && seen.add(t.digest))].slice(
    -MAX_LEARNED_TASKS,
  );
}
