/** A dream waiting for a slot: pending, or one whose runner died (its lease ran out). */
export interface WaitingDream {
  dreamId: string;
  tenantId: string;
  /** When it was asked for: the order within a tenant. */
  createdAt: Date;
}

/**
 * Which waiting dream a free slot goes to, so that one tenant's dreams never hold off another's:
 *
 * 1. the tenant with the fewest dreams running (`running`, across every replica);
 * 2. among those, the tenant whose last dream got a slot longest ago (`lastTurn`; never first);
 * 3. then the tenant whose oldest waiting dream is oldest, and the lowest dream id, so every
 *    replica decides alike.
 *
 * The tenant chosen gets its oldest waiting dream. Null when nothing waits.
 *
 * Tenants take turns: one with 50 dreams queued gets one slot in its turn, not all of them, and
 * with one slot a dream queued behind another tenant's many runs after the one running now. A
 * tenant also never gets more than half of the slots (rounded up) while another tenant has a dream
 * waiting: to be chosen at k running, every other waiting tenant must run k or more, so at
 * k = ceil(slots / 2) every slot is held and none is free to give. It takes more only when nobody
 * else waits (a free slot is never left idle while a dream waits). Running dreams are not
 * preempted: fairness is in the order of the waiting ones.
 */
export function nextDreamToClaim(
  waiting: readonly WaitingDream[],
  running: ReadonlyMap<string, number>,
  lastTurn: ReadonlyMap<string, Date> = new Map(),
): WaitingDream | null {
  const oldest = new Map<string, WaitingDream>();
  for (const dream of waiting) {
    const current = oldest.get(dream.tenantId);
    if (!current || before(dream, current)) oldest.set(dream.tenantId, dream);
  }
  const rank = (d: WaitingDream) => ({
    running: running.get(d.tenantId) ?? 0,
    turn: lastTurn.has(d.tenantId)
      ? new Date(lastTurn.get(d.tenantId) as Date).getTime()
      : -Infinity,
  });
  let best: WaitingDream | null = null;
  for (const dream of oldest.values()) {
    if (!best) {
      best = dream;
      continue;
    }
    const a = rank(dream);
    const b = rank(best);
    if (
      a.running < b.running ||
      (a.running === b.running && (a.turn < b.turn || (a.turn === b.turn && before(dream, best))))
    )
      best = dream;
  }
  return best;
}

/** What the next free slot is chosen from: the waiting dreams and each tenant's share. */
export interface ClaimQueue<D extends WaitingDream = WaitingDream> {
  waiting: D[];
  /** Dreams running per tenant (across replicas). */
  running: Map<string, number>;
  /** When each tenant's dream last got a slot. */
  lastTurn: Map<string, Date>;
}

/**
 * The queue as it is once `dream` got a slot at `at`: it no longer waits, it runs for its tenant,
 * and that tenant's turn came at `at`. Lets one read of the queue serve the several claims of one
 * fill (the claim itself stays conditional, so a stale read can cost a missed claim, never a dream
 * run twice). Changes `queue` in place.
 */
export function recordClaim<D extends WaitingDream>(
  queue: ClaimQueue<D>,
  dream: WaitingDream,
  at: Date,
): void {
  queue.waiting = queue.waiting.filter((d) => d.dreamId !== dream.dreamId);
  queue.running.set(dream.tenantId, (queue.running.get(dream.tenantId) ?? 0) + 1);
  const last = queue.lastTurn.get(dream.tenantId);
  if (!last || new Date(last).getTime() < at.getTime()) queue.lastTurn.set(dream.tenantId, at);
}

/** Dreams running per tenant, from the tenant of each dream that holds a slot. */
export function runningByTenant(tenantIds: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tenantIds) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

const time = (d: WaitingDream) => new Date(d.createdAt).getTime();
const before = (a: WaitingDream, b: WaitingDream) =>
  time(a) < time(b) || (time(a) === time(b) && a.dreamId < b.dreamId);
