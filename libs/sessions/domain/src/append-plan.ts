import type { SessionEventAppended } from '@reverie/contracts';

export interface PlannedEvent {
  seq: number;
  message: SessionEventAppended;
}

export interface AppendPlan {
  planned: PlannedEvent[];
  /** Messages skipped because their event is already stored or repeats one earlier in the batch. */
  duplicates: number;
}

/**
 * Decides which of a session's incoming events to store and the gap-free `seq` each gets: events
 * already stored (by envelope id) or repeated within the batch are skipped, the rest continue
 * after the last stored seq in arrival order.
 */
export function planAppend(
  lastSeq: number,
  storedIds: ReadonlySet<string>,
  incoming: readonly SessionEventAppended[],
): AppendPlan {
  // Only this batch's ids are copied: copying the stored ones made each batch cost the whole
  // session so far (quadratic over a long session).
  const seen = new Set<string>();
  const planned: PlannedEvent[] = [];
  let next = lastSeq;
  for (const message of incoming) {
    if (storedIds.has(message.id) || seen.has(message.id)) continue;
    seen.add(message.id);
    planned.push({ seq: ++next, message });
  }
  return { planned, duplicates: incoming.length - planned.length };
}
