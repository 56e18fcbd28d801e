import type { SessionEventAppended } from '@reverie/contracts';
import { planAppend } from './append-plan';

const msg = (id: string): SessionEventAppended => ({
  id,
  type: 'session.event_appended',
  tenantId: 't',
  agentId: 'a',
  sessionId: 's',
  occurredAt: '2026-11-22T00:00:00Z',
  schemaVersion: 1,
  payload: {
    receivedAt: '2026-11-22T00:00:00Z',
    event: { clientEventId: id, type: 'observation', data: {} },
  },
});

describe('planAppend', () => {
  it('numbers new events after the last stored seq, in arrival order', () => {
    const plan = planAppend(7, new Set(), [msg('a'), msg('b'), msg('c')]);
    expect(plan.planned.map((p) => [p.seq, p.message.id])).toEqual([
      [8, 'a'],
      [9, 'b'],
      [10, 'c'],
    ]);
    expect(plan.duplicates).toBe(0);
  });

  it('skips events already stored and repeats within the batch, leaving no gap', () => {
    const plan = planAppend(2, new Set(['a']), [msg('a'), msg('b'), msg('b'), msg('c'), msg('a')]);
    expect(plan.planned.map((p) => [p.seq, p.message.id])).toEqual([
      [3, 'b'],
      [4, 'c'],
    ]);
    expect(plan.duplicates).toBe(3);
  });

  it('plans nothing for a fully redelivered batch', () => {
    expect(planAppend(3, new Set(['a', 'b']), [msg('a'), msg('b')])).toEqual({
      planned: [],
      duplicates: 2,
    });
  });
});
