/**
 * Sessions ended before the ingest marked stored ends: after this long their events are taken as
 * stored (the ingest had every chance; a regrade of an old session must not wait forever).
 */
const UNMARKED_END_GRACE_MS = 10 * 60_000;

/**
 * Whether every event sent before the end of attempt `iteration` is stored: the ingest marks the
 * end once it has stored it, after those events (one partition, in order). The gateway writes the
 * ended status itself at once, so the status alone does not say so. One rule for every reader of
 * ended sessions: the grader (before it grades) and a dream's collect (before it reviews).
 */
export function eventsComplete(
  session: { endStoredIteration?: number; endedAt?: Date },
  iteration: number,
  at: Date,
): boolean {
  if ((session.endStoredIteration ?? 0) >= iteration) return true;
  if (session.endStoredIteration !== undefined || !session.endedAt) return false;
  return at.getTime() - new Date(session.endedAt).getTime() > UNMARKED_END_GRACE_MS;
}
