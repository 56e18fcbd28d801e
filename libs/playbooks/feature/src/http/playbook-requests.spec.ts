import {
  addEntryBodySchema,
  diffQuerySchema,
  editEntryBodySchema,
  listVersionsQuerySchema,
  playbookQuerySchema,
  rejectBodySchema,
  renderQuerySchema,
  retireEntryBodySchema,
  rollbackBodySchema,
} from './playbook-requests';
import { presentEmpty } from './playbook-presenters';

const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((i) => i.path.join('.'));

describe('playbook request schemas', () => {
  it('takes an entry with an optional message, defaults filled in', () => {
    const parsed = addEntryBodySchema.parse({
      title: 'Brake low',
      guidance: 'Brake below 50 m.',
      rationale: 'Late braking crashed.',
      message: 'from the incident review',
    });
    expect(parsed).toMatchObject({ status: 'active', evidence: [], helpful: 0, harmful: 0 });
    expect(parsed.message).toBe('from the incident review');
  });

  it('rejects unknown fields and an edit that only carries a message', () => {
    expect(
      issues(addEntryBodySchema.safeParse({ title: 't', guidance: 'g', rationale: 'r', x: 1 })),
    ).toEqual(['']);
    expect(editEntryBodySchema.safeParse({ message: 'nothing else' }).success).toBe(false);
    expect(editEntryBodySchema.safeParse({ rule: null, message: 'drop the rule' }).success).toBe(
      true,
    );
    expect(editEntryBodySchema.safeParse({ helpful: 3 }).success).toBe(false);
  });

  it('allows an empty retirement and needs a positive version to roll back to', () => {
    expect(retireEntryBodySchema.parse({})).toEqual({});
    expect(issues(rollbackBodySchema.safeParse({ version: 0 }))).toEqual(['version']);
    for (const version of ['1', true, [3]])
      expect(issues(rollbackBodySchema.safeParse({ version }))).toEqual(['version']);
    expect(rollbackBodySchema.parse({ version: 2, message: ' back ' })).toEqual({
      version: 2,
      message: 'back',
    });
  });

  it('takes a rejection with or without a reason, and nothing else', () => {
    expect(rejectBodySchema.parse({})).toEqual({});
    expect(rejectBodySchema.parse({ reason: ' retires a lesson that still helps ' })).toEqual({
      reason: 'retires a lesson that still helps',
    });
    expect(issues(rejectBodySchema.safeParse({ reason: '  ' }))).toEqual(['reason']);
    expect(issues(rejectBodySchema.safeParse({ why: 'typo' }))).toEqual(['']);
  });

  it('reads query strings: role names, paging, diff ends, render formats', () => {
    expect(playbookQuerySchema.parse({ role: 'navigator' })).toEqual({ role: 'navigator' });
    expect(issues(playbookQuerySchema.safeParse({ role: 'Navigator!' }))).toEqual(['role']);
    expect(listVersionsQuerySchema.parse({ before_version: '4' })).toEqual({
      limit: 20,
      before_version: 4,
    });
    expect(listVersionsQuerySchema.parse({ status: 'proposed' })).toEqual({
      limit: 20,
      status: 'proposed',
    });
    expect(issues(listVersionsQuerySchema.safeParse({ status: 'pending' }))).toEqual(['status']);
    expect(diffQuerySchema.parse({ from: '0', to: '3' })).toEqual({ from: 0, to: 3 });
    expect(renderQuerySchema.parse({})).toEqual({ format: 'markdown' });
    expect(renderQuerySchema.safeParse({ format: 'yaml' }).success).toBe(false);
  });
});

describe('presentEmpty', () => {
  it('marks the playbook of an agent with no version yet and says how to start one', () => {
    const empty = presentEmpty({
      tenantId: 'acme',
      agentId: 'agt_1',
      role: 'navigator',
      playbookId: 'pbk_agt_1.navigator',
    });
    expect(empty).toMatchObject({ version: 0, status: 'empty', entries: [], role: 'navigator' });
    expect(empty.hint).toContain('POST /v1/agents/agt_1/playbook/entries?role=navigator');
  });
});
