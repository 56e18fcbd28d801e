import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { MessagesServer, textReply, toolUseReply } from '@reverie/testing/anthropic';
import { supportTasks } from '@reverie/support-desk';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startGateway, type RunningGateway } from './gateway.harness';

const verify = {
  title: 'Call lookup_order before issue_refund',
  guidance: 'Before calling issue_refund, call lookup_order first.',
  rationale: 'Refunds without a lookup failed with PRECONDITION_FAILED.',
  evidence: [{ sessionId: 'ses_1', step: 3, role: 'billing' }],
  rule: {
    when: {
      all: [
        { feature: 'tool', op: 'eq', value: 'issue_refund' },
        { not: { feature: 'prior.lookup_order', op: 'exists' } },
      ],
    },
    then: { action: 'call_first', params: { tool: 'lookup_order' } },
  },
};

describe('an external agent team over REST', () => {
  let gateway: RunningGateway;
  let api: ApiClient;
  let agentId: string;

  beforeAll(async () => {
    gateway = await startGateway();
    api = await gateway.tenant();
    const agent = await api.post(
      '/v1/agents',
      anAgent({ roles: [{ name: 'coordinator' }, { name: 'billing' }, { name: 'account' }] }),
    );
    agentId = agent.body.id;
  });
  afterAll(() => gateway?.close());

  it('starts a session with each role playbook version, its text and rules, and records the versions', async () => {
    const v1 = await api.post(`/v1/agents/${agentId}/playbook/entries?role=billing`, verify);
    expect(v1.status).toBe(201);
    const started = await api.post('/v1/sessions', { agentId, title: 'ticket refund-0' });
    expect(started.status).toBe(201);
    const byRole = Object.fromEntries(
      started.body.playbooks.map((p: { role: string | null }) => [p.role ?? 'agent', p]),
    );
    expect(Object.keys(byRole).sort()).toEqual(['account', 'agent', 'billing', 'coordinator']);
    expect(byRole.billing.version).toBe(1);
    expect(byRole.billing.text).toContain('Before calling issue_refund, call lookup_order first.');
    expect(byRole.billing.rules).toHaveLength(1);
    expect(byRole.account).toMatchObject({ version: 0, rules: [] });
    expect(byRole.account.text).toContain('There are no lessons yet.');
    const stored = await api.get(`/v1/sessions/${started.body.id}`);
    expect(stored.body.rolePlaybooks).toEqual({
      coordinator: null,
      billing: { playbookId: `pbk_${agentId}.billing`, version: 1 },
      account: null,
    });
  });

  it('runs the offline team through the REST API only, obeying the billing playbook', async () => {
    const task = supportTasks(30).find(
      (t) => t.requested.length === 1 && Number(t.requested[0].args.amount) > 50,
    )!;
    // The runnable example, as a user runs it: its own process, REST only.
    const root = join(__dirname, '../../..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', 'examples/support-desk/offline-agent.ts', agentId, task.id],
      {
        cwd: root,
        env: { ...process.env, REVERIE_API_URL: api.baseUrl, REVERIE_API_KEY: api.apiKey ?? '' },
      },
    );
    const [taskId, sessionId, status, versions] = stdout.trim().split('\t');
    expect([taskId, status, JSON.parse(versions).billing]).toEqual([task.id, 'completed', 1]);
    const result = { sessionId };
    await expectEventually(async () => {
      const events = await api.get(`/v1/sessions/${result.sessionId}/events?limit=100`);
      const calls = events.body.data.filter((e: { type: string }) => e.type === 'tool_call');
      expect(calls.map((e: { name: string }) => e.name).slice(0, 2)).toEqual([
        'lookup_order',
        'issue_refund',
      ]);
    });
  });

  it('runs the Anthropic SDK example against a mocked model, with the role playbook in its system prompt', async () => {
    const task = supportTasks(30).find(
      (t) => t.requested.length === 1 && Number(t.requested[0].args.amount) > 50,
    )!;
    const { order_id, amount } = task.requested[0].args;
    const model = await MessagesServer.start({
      replies: [
        toolUseReply([{ name: 'lookup_order', input: { order_id } }]),
        toolUseReply([{ name: 'issue_refund', input: { order_id, amount } }]),
        textReply('done'),
      ],
    });
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-r', '@swc-node/register', 'examples/support-desk/anthropic-agent.ts', agentId, task.id],
        {
          cwd: join(__dirname, '../../..'),
          env: {
            ...process.env,
            REVERIE_API_URL: api.baseUrl,
            REVERIE_API_KEY: api.apiKey ?? '',
            ANTHROPIC_BASE_URL: model.baseURL,
            ANTHROPIC_API_KEY: model.apiKey,
          },
        },
      );
      const [, sessionId, status] = stdout.trim().split('\t');
      expect(status).toBe('completed');
      expect(JSON.stringify(model.requests[0].body.system)).toContain(
        'Before calling issue_refund, call lookup_order first.',
      );
      await expectEventually(async () => {
        const events = await api.get(`/v1/sessions/${sessionId}/events?limit=100`);
        const types = events.body.data.map(
          (e: { type: string; name?: string }) => e.name ?? e.type,
        );
        expect(types).toEqual(
          expect.arrayContaining(['model_call', 'lookup_order', 'issue_refund', 'close_ticket']),
        );
      });
    } finally {
      await model.close();
    }
  });
});
