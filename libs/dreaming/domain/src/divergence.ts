import type { FailureLocalisation } from './dream.types';

/** One decision of a session, reduced to what comparing sessions needs. */
export interface StepAction {
  step: number;
  /** What was done, e.g. 'tool:grep', 'answer:12-14', 'action:set_throttle'. */
  signature: string;
}

export interface ObservedSession {
  sessionId: string;
  task: string;
  succeeded: boolean;
  /** In the order they happened. */
  actions: StepAction[];
  failedCriteria?: { id: string; steps?: number[] }[];
  role?: string | null;
  /** How it failed; defaults to the failed criteria ("finds-the-error failed") or 'failed'. */
  failure?: string;
}

const quote = (s: string | undefined) => (s === undefined ? 'nothing more' : `"${s}"`);

function failureOf(session: ObservedSession): string {
  if (session.failure) return session.failure;
  const ids = (session.failedCriteria ?? []).map((c) => c.id);
  return ids.length ? `${ids.join(', ')} failed` : 'failed';
}

/** The first position where no successful session did what the failed one did, or null. */
function firstDivergence(failed: ObservedSession, successes: readonly ObservedSession[]) {
  const length = Math.max(failed.actions.length, ...successes.map((s) => s.actions.length));
  for (let i = 0; i < length; i++) {
    const mine = failed.actions[i]?.signature;
    if (mine !== undefined && successes.some((s) => s.actions[i]?.signature === mine)) continue;
    if (mine === undefined && successes.every((s) => s.actions[i] === undefined)) continue;
    return i;
  }
  return null;
}

/** Share of the successful sessions in the largest group that acted alike up to position `i`. */
function agreement(successes: readonly ObservedSession[], i: number): number {
  const groups = new Map<string, number>();
  for (const s of successes) {
    const key = JSON.stringify(s.actions.slice(0, i + 1).map((a) => a.signature));
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return Math.max(...groups.values()) / successes.length;
}

/** What the successful sessions did at position `i`, most common first: `"a" (3 of 4), "b" (1 of 4)`. */
function whatSuccessesDid(successes: readonly ObservedSession[], i: number): string {
  const counts = new Map<string | undefined, number>();
  for (const s of successes) {
    const sig = s.actions[i]?.signature;
    counts.set(sig, (counts.get(sig) ?? 0) + 1);
  }
  const listed = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const shown = listed
    .slice(0, 3)
    .map(
      ([sig, n]) => `${quote(sig)}${successes.length > 1 ? ` (${n} of ${successes.length})` : ''}`,
    );
  if (listed.length > 3) shown.push(`${listed.length - 3} other action(s)`);
  return shown.join(', ');
}

function byCriteria(failed: ObservedSession, why: string): FailureLocalisation {
  const base = {
    sessionId: failed.sessionId,
    task: failed.task,
    failure: failureOf(failed),
    role: failed.role ?? null,
    method: 'criteria' as const,
    simulations: 0,
  };
  const located = (failed.failedCriteria ?? [])
    .flatMap((c) => (c.steps ?? []).map((step) => ({ id: c.id, step })))
    .sort((a, b) => a.step - b.step);
  if (located.length)
    return {
      ...base,
      step: located[0].step,
      confidence: 0.5,
      detail: `${why}; criterion "${located[0].id}" failed, earliest at step ${located[0].step}`,
    };
  return {
    ...base,
    step: null,
    confidence: 0.2,
    detail: `${why}, and no failed criterion names a step: could not localise`,
  };
}

/**
 * Where a failed session went wrong, for environments that cannot replay a session: compares it
 * with successful sessions of the same task, action by action, and picks the first position where
 * it did something no successful session did there (method 'divergence'; confidence is the share
 * of successful sessions that acted alike up to that position, so a lone success or a consensus
 * counts fully and a scatter of different winning paths less). With no successful session of the
 * same task, or none that differs, the earliest step a failed criterion names (method 'criteria',
 * confidence 0.5), else no step (confidence 0.2).
 */
export function localiseByDivergence(
  failed: ObservedSession,
  successes: readonly ObservedSession[],
): FailureLocalisation {
  const peers = successes.filter(
    (s) => s.succeeded && s.task === failed.task && s.sessionId !== failed.sessionId,
  );
  if (!peers.length) return byCriteria(failed, `no successful session of task "${failed.task}"`);

  const i = firstDivergence(failed, peers);
  if (i === null)
    return byCriteria(
      failed,
      `acted exactly like a successful session of task "${failed.task}" (${peers.length} compared)`,
    );

  const mine = failed.actions[i];
  // A failed session that stopped early has no step of its own there: take the successes'.
  const step =
    mine?.step ?? Math.min(...peers.flatMap((s) => (s.actions[i] ? [s.actions[i].step] : [])));
  const did = mine
    ? `did ${quote(mine.signature)}`
    : `stopped after ${failed.actions.length} action(s)`;
  return {
    sessionId: failed.sessionId,
    task: failed.task,
    failure: failureOf(failed),
    step,
    role: failed.role ?? null,
    method: 'divergence',
    confidence: agreement(peers, i),
    detail: `diverged at step ${step} (action ${i + 1}): ${did} where the ${peers.length} successful session(s) of task "${failed.task}" did ${whatSuccessesDid(peers, i)}`,
    simulations: 0,
  };
}
