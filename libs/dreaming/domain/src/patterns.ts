import type { FailureLocalisation, FailurePattern } from './dream.types';

/** Steps grouped together: a failure at step 52 and one at step 57 are the same pattern. */
export const STEP_BUCKET = 10;

function bucketOf(step: number | null): [number, number] | null {
  if (step === null) return null;
  const from = Math.floor(step / STEP_BUCKET) * STEP_BUCKET;
  return [from, from + STEP_BUCKET - 1];
}

function describe(
  failure: string,
  role: string | null,
  bucket: [number, number] | null,
  count: number,
): string {
  const sessions = `${count} session${count === 1 ? '' : 's'}`;
  const who = role ? `the ${role}` : 'the agent';
  const where = bucket
    ? `${who} went wrong around steps ${bucket[0]}–${bucket[1]}`
    : `${who}; where it went wrong could not be localised`;
  return `${failure}: ${sessions}, ${where}`;
}

/**
 * Groups localised failures by failure, role and step range (buckets of `STEP_BUCKET` steps, or
 * "not localised"), most frequent first; ties keep the order of first appearance. Each session
 * counts once per pattern.
 */
export function findPatterns(localisations: readonly FailureLocalisation[]): FailurePattern[] {
  const groups = new Map<
    string,
    {
      failure: string;
      role: string | null;
      bucket: [number, number] | null;
      sessions: Set<string>;
      steps: Set<number>;
      first: number;
    }
  >();
  localisations.forEach((l, i) => {
    const bucket = bucketOf(l.step);
    const key = [
      l.failure,
      l.role ?? '-',
      bucket ? `${bucket[0]}-${bucket[1]}` : 'unlocalised',
    ].join('|');
    const group = groups.get(key) ?? {
      failure: l.failure,
      role: l.role,
      bucket,
      sessions: new Set<string>(),
      steps: new Set<number>(),
      first: i,
    };
    group.sessions.add(l.sessionId);
    if (l.step !== null) group.steps.add(l.step);
    groups.set(key, group);
  });
  return [...groups.entries()]
    .sort(([, a], [, b]) => b.sessions.size - a.sessions.size || a.first - b.first)
    .map(([key, g]) => ({
      key,
      description: describe(g.failure, g.role, g.bucket, g.sessions.size),
      count: g.sessions.size,
      sessionIds: [...g.sessions],
      roles: g.role ? [g.role] : [],
      steps: [...g.steps].sort((a, b) => a - b),
    }));
}
