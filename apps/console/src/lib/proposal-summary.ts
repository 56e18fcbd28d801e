/** A version's diff as the API gives it (`diff` of a playbook version). */
export interface VersionDiff {
  added?: { title: string }[];
  removed?: { title: string }[];
  changed?: { title: string; changes?: { field: string; after?: unknown }[] }[];
}

/** Fields a dream rewrites after every review: a change of only these is bookkeeping. */
const COUNTERS = new Set(['helpful', 'harmful']);

/**
 * One line for a proposal: what it adds, retires, changes and removes, with an entry whose only
 * change is its helpful/harmful counters counted apart ("2 counter updates"), so a proposal
 * that only recounts does not read as changing guidance. The titles of added entries follow.
 */
export function proposalSummary(diff: VersionDiff): string {
  const changed = diff.changed ?? [];
  const retired = changed.filter((c) =>
    (c.changes ?? []).some((ch) => ch.field === 'status' && ch.after === 'retired'),
  ).length;
  const countersOnly = changed.filter(
    (c) => c.changes?.length && c.changes.every((ch) => COUNTERS.has(ch.field)),
  ).length;
  const added = diff.added ?? [];
  const parts = [
    [added.length, 'added'],
    [changed.length - retired - countersOnly, 'changed'],
    [retired, 'retired'],
    [diff.removed?.length ?? 0, 'removed'],
    [countersOnly, countersOnly === 1 ? 'counter update' : 'counter updates'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, what]) => `${n} ${what}`);
  const summary = parts.length ? parts.join(', ') : 'no changes';
  return added.length ? `${summary}: ${added.map((a) => a.title).join('; ')}` : summary;
}
