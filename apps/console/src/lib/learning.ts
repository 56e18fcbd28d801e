/**
 * The Learning page's numbers: an agent's graded sessions grouped by day (of grading) or by the
 * playbook version the session ran with, each group's success rate (result `satisfied`) and each
 * rubric criterion's pass rate. The API lists a verdict per graded iteration (a session sent back
 * for revision has one per attempt): each session counts once, by its latest graded iteration.
 */

export interface GradedSession {
  sessionId: string;
  /** Which attempt of the session was graded (1 when absent). */
  iteration?: number;
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

/**
 * Each session's final verdict: its highest graded iteration, and of verdicts on the same
 * iteration (a regrade) the latest. Sessions keep the order they first appear in.
 */
export function latestPerSession(outcomes: readonly GradedSession[]): GradedSession[] {
  const latest = new Map<string, GradedSession>();
  const later = (a: GradedSession, b: GradedSession) => {
    const [ia, ib] = [a.iteration ?? 1, b.iteration ?? 1];
    return ia !== ib ? ia > ib : Date.parse(a.gradedAt) > Date.parse(b.gradedAt);
  };
  for (const o of outcomes) {
    const seen = latest.get(o.sessionId);
    if (!seen || later(o, seen)) latest.set(o.sessionId, o);
  }
  return [...latest.values()];
}

/** Groups sessions (each once, by its final verdict) by `keyOf`. */
export function groupLearning(
  outcomes: readonly GradedSession[],
  keyOf: (o: GradedSession) => string,
): LearningPoint[] {
  const groups = new Map<string, GradedSession[]>();
  for (const o of latestPerSession(outcomes)) {
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

/**
 * By the playbook version each session ran with, in the order the versions first appear in time
 * (of the sessions' final verdicts).
 */
export function byVersion(
  outcomes: readonly GradedSession[],
  sessions: ReadonlyMap<string, PlaybookRef>,
): LearningPoint[] {
  const ordered = latestPerSession(outcomes).sort((a, b) => a.gradedAt.localeCompare(b.gradedAt));
  return groupLearning(ordered, (o) => versionLabel(sessions.get(o.sessionId)));
}
