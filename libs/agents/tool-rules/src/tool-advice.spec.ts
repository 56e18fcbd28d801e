import type { PlaybookRule } from '@reverie/playbooks-domain';
import { argShape, callFeatures, errorFeatures, type CallRecord } from './call-features';
import { adviceBefore, adviceOnError, reshapeValue } from './tool-advice';

const call = (tool: string, args: Record<string, unknown> = {}, ok = true): CallRecord => ({
  tool,
  actor: 'billing',
  args,
  ok,
  errorCode: ok ? null : 'RATE_LIMITED',
  retryAfterMs: null,
  waitedMs: 0,
  step: null,
});

describe('call features', () => {
  it('describe argument shapes, earlier successes, later calls and retries', () => {
    const calls = [
      call('lookup', { id: 'O-1234' }),
      call('refund', { date: '14/03/2027', amount: 80 }, false),
      call('refund', { date: '14/03/2027', amount: 80 }),
      call('notify'),
    ];
    expect(callFeatures(calls, 2)).toEqual({
      tool: 'refund',
      actor: 'billing',
      'arg.date.shape': 'dd/dd/dddd',
      'arg.amount.shape': 'number',
      'arg.amount': 80,
      'prior.lookup': true,
      'later.notify': true,
      retry: true,
    });
    expect(errorFeatures(calls, 1).error).toBe('RATE_LIMITED');
    expect(argShape('SW1A 1AA')).toBe('AAdA dAA');
    expect(argShape('x'.repeat(40))).toBe('text');
  });
});

describe('advice from rules', () => {
  const rule = (entryId: string, when: PlaybookRule['when'], then: PlaybookRule['then']) => ({
    entryId,
    title: entryId,
    when,
    then,
  });
  const rules: PlaybookRule[] = [
    rule(
      'e1',
      { feature: 'tool', op: 'eq', value: 'refund' },
      {
        action: 'call_first',
        params: { tool: 'lookup' },
      },
    ),
    rule(
      'e2',
      { feature: 'arg.date.shape', op: 'eq', value: 'dd/dd/dddd' },
      {
        action: 'reshape_arg',
        params: { arg: 'date', shape: 'dddd-dd-dd' },
      },
    ),
    rule(
      'e3',
      { feature: 'error', op: 'eq', value: 'RATE_LIMITED' },
      {
        action: 'retry_after',
        params: { wait_ms: 800 },
      },
    ),
  ];

  it('says which tool to call first and how to reshape, and skips what already happened', () => {
    const fresh = adviceBefore(rules, { tool: 'refund', 'arg.date.shape': 'dd/dd/dddd' });
    expect(fresh.callFirst).toEqual(['lookup']);
    expect(fresh.reshape.get('date')).toBe('dddd-dd-dd');
    expect(fresh.entryIds).toEqual(['e1', 'e2']);
    const done = adviceBefore(rules, { tool: 'refund', 'prior.lookup': true });
    expect(done.callFirst).toEqual([]);
  });

  it('says how long to wait after an error a rule names, and nothing after others', () => {
    expect(adviceOnError(rules, { tool: 'x', error: 'RATE_LIMITED' }).waitMs).toBe(800);
    expect(adviceOnError(rules, { tool: 'x', error: 'CONFLICT' }).waitMs).toBeNull();
  });

  it('reshapes dates and codes, and refuses what cannot fit', () => {
    expect(reshapeValue('14/03/2027', 'dddd-dd-dd')).toBe('2027-03-14');
    expect(reshapeValue('sw1a 1aa', 'AAdA dAA')).toBe('SW1A 1AA');
    expect(reshapeValue('2027-03-14', 'dddd-dd-dd')).toBe('2027-03-14');
    expect(reshapeValue('14 March', 'dddd-dd-dd')).toBeNull();
  });
});
