import {
  nextDreamToClaim,
  recordClaim,
  runningByTenant,
  type ClaimQueue,
  type WaitingDream,
} from './fair-claim';

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 0, 0, s));
const dream = (tenantId: string, n: number, s = n): WaitingDream => ({
  dreamId: `drm_${tenantId}_${String(n).padStart(3, '0')}`,
  tenantId,
  createdAt: at(s),
});
const none = new Map<string, number>();

describe('nextDreamToClaim', () => {
  it('claims nothing when nothing waits', () => {
    expect(nextDreamToClaim([], runningByTenant(['b']))).toBeNull();
  });

  it("gives the slot to the tenant with the fewest dreams running, whatever the other's queue", () => {
    // B queued 50 dreams (one per agent) before A queued one; B runs one already.
    const waiting = [...Array.from({ length: 50 }, (_, i) => dream('b', i)), dream('a', 0, 60)];
    expect(nextDreamToClaim(waiting, runningByTenant(['b']))?.dreamId).toBe('drm_a_000');
  });

  it("among tenants running as many, takes the tenant whose oldest waiting dream is oldest, and that tenant's oldest", () => {
    const waiting = [dream('b', 2, 5), dream('a', 1, 3), dream('b', 1, 2), dream('a', 0, 4)];
    expect(nextDreamToClaim(waiting, none)?.dreamId).toBe('drm_b_001');
    expect(nextDreamToClaim(waiting, runningByTenant(['a', 'b']))?.dreamId).toBe('drm_b_001');
    // A's oldest is 3 s, B's 2 s: B; then with B running one more, A (its oldest, at 3 s).
    expect(nextDreamToClaim(waiting, runningByTenant(['b']))?.dreamId).toBe('drm_a_001');
  });

  it('breaks an exact tie on the dream id, so every replica decides alike', () => {
    const waiting = [dream('b', 1, 0), dream('a', 1, 0)];
    expect(nextDreamToClaim(waiting, none)?.dreamId).toBe('drm_a_001');
    expect(nextDreamToClaim([...waiting].reverse(), none)?.dreamId).toBe('drm_a_001');
  });

  it('takes turns: slot by slot, a tenant with many queued dreams gets one in its turn', () => {
    const queue = [
      ...Array.from({ length: 5 }, (_, i) => dream('b', i)),
      dream('a', 0, 10),
      dream('a', 1, 11),
      dream('c', 0, 20),
    ];
    const running: string[] = [];
    const order: string[] = [];
    let waiting = queue;
    for (let slot = 0; slot < 6; slot++) {
      const next = nextDreamToClaim(waiting, runningByTenant(running));
      if (!next) break;
      order.push(next.dreamId);
      running.push(next.tenantId);
      waiting = waiting.filter((d) => d !== next);
    }
    expect(order).toEqual([
      'drm_b_000',
      'drm_a_000',
      'drm_c_000',
      'drm_b_001',
      'drm_a_001',
      'drm_b_002',
    ]);
  });

  /** One slot: each dream runs alone and ends before the next is chosen; returns the order. */
  const oneSlot = (queue: WaitingDream[]) => {
    const lastTurn = new Map<string, Date>();
    const order: string[] = [];
    let waiting = queue;
    for (let turn = 1; waiting.length; turn++) {
      const next = nextDreamToClaim(waiting, none, lastTurn);
      if (!next) break;
      order.push(next.dreamId);
      lastTurn.set(next.tenantId, at(1000 + turn));
      waiting = waiting.filter((d) => d !== next);
    }
    return order;
  };

  it('with one slot, a dream queued behind many of another tenant runs second, not last', () => {
    // B queued four dreams (one per agent) before A queued one.
    const queue = [...Array.from({ length: 4 }, (_, i) => dream('b', i)), dream('a', 0, 30)];
    expect(oneSlot(queue)).toEqual([
      'drm_b_000',
      'drm_a_000',
      'drm_b_001',
      'drm_b_002',
      'drm_b_003',
    ]);
  });

  it('with one slot, tenants take turns round robin, each its oldest dream', () => {
    const queue = [
      ...Array.from({ length: 3 }, (_, i) => dream('b', i)),
      ...Array.from({ length: 3 }, (_, i) => dream('a', i, 10 + i)),
      dream('c', 0, 20),
    ];
    expect(oneSlot(queue)).toEqual([
      'drm_b_000',
      'drm_a_000',
      'drm_c_000',
      'drm_b_001',
      'drm_a_001',
      'drm_b_002',
      'drm_a_002',
    ]);
  });

  it('a tenant served longest ago (or never) goes first among tenants running as many', () => {
    const waiting = [dream('b', 0, 0), dream('a', 0, 50)];
    const lastTurn = new Map([['b', at(100)]]);
    expect(nextDreamToClaim(waiting, none, lastTurn)?.dreamId).toBe('drm_a_000');
    lastTurn.set('a', at(200));
    expect(nextDreamToClaim(waiting, none, lastTurn)?.dreamId).toBe('drm_b_000');
    // Fewer running still comes first.
    expect(nextDreamToClaim(waiting, runningByTenant(['b']), lastTurn)?.dreamId).toBe('drm_a_000');
  });

  it('never hands a tenant more than half the slots (rounded up) while another tenant waits', () => {
    for (const slots of [2, 3, 4, 5, 8]) {
      const share = Math.ceil(slots / 2);
      // B queued first and has plenty; A and C arrive later with a few each.
      let waiting = [
        ...Array.from({ length: 20 }, (_, i) => dream('b', i)),
        ...Array.from({ length: 3 }, (_, i) => dream('a', i, 40 + i)),
        ...Array.from({ length: 3 }, (_, i) => dream('c', i, 50 + i)),
      ];
      const running: string[] = [];
      for (let s = 0; s < slots; s++) {
        const next = nextDreamToClaim(waiting, runningByTenant(running));
        if (!next) break;
        const others = waiting.some((d) => d.tenantId !== next.tenantId);
        const held = running.filter((t) => t === next.tenantId).length;
        if (others) expect(held).toBeLessThan(share);
        running.push(next.tenantId);
        waiting = waiting.filter((d) => d !== next);
      }
      expect(running.filter((t) => t === 'b').length).toBeLessThanOrEqual(share);
    }
  });

  it('lets one tenant take every free slot when nobody else waits', () => {
    const waiting = Array.from({ length: 3 }, (_, i) => dream('b', i));
    expect(nextDreamToClaim(waiting, runningByTenant(['b', 'b', 'b']))?.dreamId).toBe('drm_b_000');
  });
});

describe('recordClaim', () => {
  it('keeps one read of the queue true to the claims made from it: the dream runs, its tenant had its turn', () => {
    const queue: ClaimQueue = {
      waiting: [dream('a', 0), dream('a', 1), dream('b', 0, 5)],
      running: runningByTenant(['c']),
      lastTurn: new Map([['b', at(1)]]),
    };
    const first = nextDreamToClaim(queue.waiting, queue.running, queue.lastTurn) as WaitingDream;
    expect(first.dreamId).toBe('drm_a_000');
    recordClaim(queue, first, at(30));
    expect(queue.waiting.map((d) => d.dreamId)).toEqual(['drm_a_001', 'drm_b_000']);
    expect(queue.running).toEqual(
      new Map([
        ['c', 1],
        ['a', 1],
      ]),
    );
    expect(queue.lastTurn).toEqual(
      new Map([
        ['b', at(1)],
        ['a', at(30)],
      ]),
    );
    // A runs one now: the next slot goes to B, not to A's second dream.
    const second = nextDreamToClaim(queue.waiting, queue.running, queue.lastTurn);
    expect(second?.dreamId).toBe('drm_b_000');
  });

  it('never moves a turn back in time', () => {
    const queue: ClaimQueue = {
      waiting: [dream('a', 0)],
      running: new Map(),
      lastTurn: new Map([['a', at(40)]]),
    };
    recordClaim(queue, dream('a', 0), at(30));
    expect(queue.lastTurn.get('a')).toEqual(at(40));
    expect(queue.running.get('a')).toBe(1);
  });
});
