import type { PlaybookRule } from '@reverie/playbooks-domain';
import { OfflineSupportTeam, type TeamRules } from './offline-team';
import { supportFacts } from './support.facts';
import { splitOf, supportTask, supportTasks } from './tasks';

const rule = (entryId: string, when: PlaybookRule['when'], then: PlaybookRule['then']) => ({
  entryId,
  title: entryId,
  when,
  then,
});

/** The four hidden regularities, written by hand as the rules a dream should learn. */
const KNOWING: TeamRules = {
  billing: [
    rule(
      'verify',
      {
        all: [
          { feature: 'tool', op: 'eq', value: 'issue_refund' },
          { not: { feature: 'prior.lookup_order', op: 'exists' } },
        ],
      },
      { action: 'call_first', params: { tool: 'lookup_order' } },
    ),
  ],
  account: [
    rule(
      'backoff',
      { feature: 'error', op: 'eq', value: 'RATE_LIMITED' },
      { action: 'retry_after', params: { wait_ms: 1000 } },
    ),
    rule(
      'iso',
      { feature: 'arg.effective_date.shape', op: 'eq', value: 'dd/dd/dddd' },
      { action: 'reshape_arg', params: { arg: 'effective_date', shape: 'dddd-dd-dd' } },
    ),
    rule(
      'order',
      {
        all: [
          { feature: 'tool', op: 'eq', value: 'change_plan' },
          { feature: 'later.remove_addons', op: 'exists' },
        ],
      },
      { action: 'call_first', params: { tool: 'remove_addons' } },
    ),
  ],
};

const resolved = (rules: TeamRules, ids = supportTasks(30)) =>
  ids.filter(
    (t) =>
      supportFacts(new OfflineSupportTeam(t, rules).run().events).values['support.resolved'] ===
      true,
  ).length;

describe('the offline support team', () => {
  it('resolves some tickets on day one and fails the others on the hidden rules', () => {
    const day1 = resolved({});
    expect(day1).toBeGreaterThan(10);
    expect(day1).toBeLessThan(60);
  });

  it('resolves every ticket when its playbooks hold the four rules, and records the rules it applied', () => {
    expect(resolved(KNOWING)).toBe(90);
    const big = supportTasks(30).find(
      (t) => t.requested.length === 1 && Number(t.requested[0].args.amount) > 50,
    );
    const run = new OfflineSupportTeam(big ?? supportTask('refund', 0), KNOWING).run();
    const applied = run.events.filter((e) => e.type === 'action' && e.name === 'apply_rule');
    const tools = run.events.flatMap((e) => (e.type === 'tool_call' ? [e.name] : []));
    expect(tools.slice(0, 2)).toEqual(['lookup_order', 'issue_refund']);
    expect(applied.map((e) => (e.type === 'action' ? e.params?.entry_id : null))).toEqual([
      'verify',
    ]);
    expect(run.status).toBe('completed');
    expect(applied.every((e) => e.actor === 'billing')).toBe(true);
  });

  it('records a team: delegation messages, each call with its actor, and the error it gave up on', () => {
    const task = supportTasks(30).find((t) => t.family === 'plan' && t.hidden.hasAddons)!;
    const run = new OfflineSupportTeam(task, {}).run();
    expect(run.status).toBe('failed');
    expect(run.events.find((e) => e.type === 'message' && e.to === 'account')?.actor).toBe(
      'coordinator',
    );
    const error = run.events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ actor: 'account' });
    const call = run.events.find((e) => e.type === 'tool_call')!;
    const result = run.events.find((e) => e.type === 'tool_result')!;
    expect(result.step).toBe(call.step);
  });

  it('is deterministic and splits tasks by id alone', () => {
    expect(new OfflineSupportTeam(supportTask('address', 3), {}).run()).toEqual(
      new OfflineSupportTeam(supportTask('address', 3), {}).run(),
    );
    const splits = supportTasks(100).map((t) => splitOf(t.id));
    for (const s of ['train', 'validation', 'test'])
      expect(splits.filter((x) => x === s).length).toBeGreaterThan(30);
    expect(supportTasks(100, 'test').every((t) => splitOf(t.id) === 'test')).toBe(true);
  });
});
