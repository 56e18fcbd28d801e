/** A `learnedFrom` record of a playbook version, as the API answers it. */
export interface LearnedFromRecord {
  environment: string;
  input: string;
  train: { id: string }[];
  validation: { id: string }[];
}

/**
 * What the dreams that wrote a version's rules learned from, a line a record: "Learned from 12
 * training and chose on 3 validation tasks of lunar-lander (sessions of agent agt_1)". None for a
 * version no dream changed the rules of (or an answer without the field).
 */
export function learnedFromLines(learnedFrom: unknown): string[] {
  if (!Array.isArray(learnedFrom)) return [];
  return (learnedFrom as LearnedFromRecord[]).map(
    (l) =>
      `Learned from ${tasks(l.train.length, 'training')} and chose on ${tasks(l.validation.length, 'validation')} of ${l.environment} (${l.input}); no test task.`,
  );
}

const tasks = (n: number, split: string) => `${n} ${split} task${n === 1 ? '' : 's'}`;
