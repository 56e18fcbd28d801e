/**
 * The Learning page's numbers: an agent's graded sessions grouped by day (of grading) or by the
 * playbook version the session ran with, each group's success rate (result `satisfied`) and each
 * rubric criterion's pass rate.
 */

export interface GradedSession {
  sessionId: string;
  result: string;
  gradedAt: string;
  criteria: { id: string; passed: boolean; gradable?: boolean }[];
}

export interface PlaybookRef {
  playbook?: { version: number } | null;
  rolePlaybooks?: Record<string, number | { version: number } | null> | null;
}

export interface LearningPoint {
  key: string;
  sessions: number;
  successRate: number;
  /** Criterion id -> pass rate over the sessions that could grade it. */
  criteria: Record<string, number>;
}

/** The playbook version(s) a session ran with, as one label ('v3', 'commander v2 · navigator v1'). */
export function versionLabel(ref: PlaybookRef | undefined): string {
  if (!ref) return 'unknown';
  if (ref.rolePlaybooks) {
    const parts = Object.entries(ref.rolePlaybooks)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([role, v]) => `${role} v${typeof v === 'number' ? v : (v?.version ?? 0)}`);
    if (parts.length) return parts.join(' · ');
  }
  return `v${ref.playbook?.version ?? 0}`;
}

export function groupLearning(
  outcomes: readonly GradedSession[],
  keyOf: (o: GradedSession) => string,
): LearningPoint[] {
  const groups = new Map<string, GradedSession[]>();
  for (const o of outcomes) {
    const key = keyOf(o);
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  return [...groups.entries()].map(([key, items]) => {
    const pass: Record<string, [number, number]> = {};
    for (const o of items) {
      for (const c of o.criteria) {
        if (c.gradable === false) continue;
        const [p, n] = pass[c.id] ?? [0, 0];
        pass[c.id] = [p + (c.passed ? 1 : 0), n + 1];
      }
    }
    return {
      key,
      sessions: items.length,
      successRate: items.filter((o) => o.result === 'satisfied').length / items.length,
      criteria: Object.fromEntries(Object.entries(pass).map(([id, [p, n]]) => [id, p / n])),
    };
  });
}

/** By UTC day of grading, oldest first. */
export function byDay(outcomes: readonly GradedSession[]): LearningPoint[] {
  return groupLearning(outcomes, (o) => o.gradedAt.slice(0, 10)).sort((a, b) =>
    a.key.localeCompare(b.key),
  );
}

/** By the playbook version each session ran with, in the order the versions first appear in time. */
export function byVersion(
  outcomes: readonly GradedSession[],
  sessions: ReadonlyMap<string, PlaybookRef>,
): LearningPoint[] {
  const ordered = [...outcomes].sort((a, b) => a.gradedAt.localeCompare(b.gradedAt));
  return groupLearning(ordered, (o) => versionLabel(sessions.get(o.sessionId)));
}
