import {
  SCHEMA_VERSION,
  TOPICS,
  validateMessage,
  type RunRequested,
  type SessionTopicMessage,
} from '@reverie/contracts';
import type { SessionStatusView } from '@reverie/sessions-data-access/readers';
import { ReverieMetrics } from '@reverie/telemetry';
import { expectEventually } from '@reverie/testing';
import type { TriageCase } from '@reverie/ci-log-triage';
import {
  ModelProviderError,
  zeroUsage,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type ToolCall,
} from '@reverie/models';
import { PlaybookCatalog } from '../playbooks/playbook-catalog';
import { TriageError } from '@reverie/ci-log-triage';
import { TriageRunner } from '../triage/triage.runner';
import { ManagedSessionRunner, type ModelProviderFactory } from './managed-session.runner';
import type { SessionGateView } from './session-gate';
import { SessionWatch } from './session-watch';

const aCase: TriageCase = {
  id: 'demo_1',
  format: 'DEFAULT',
  failLines: [
    '[INFO] start',
    'compiling',
    '[ERROR] App.java:[3,1] cannot find symbol',
    '[INFO] Total time: 3 s',
  ],
  passLines: ['[INFO] start', 'compiling', '[INFO] Total time: 3 s'],
  errorRanges: [{ start: 3, end: 3 }],
  contextRanges: [],
};

function aRunCommand(
  overrides: Partial<RunRequested['payload']> = {},
  caseId = 'demo_1',
): RunRequested {
  return {
    id: 'run_ses_1',
    type: 'run.requested',
    tenantId: 'acme',
    agentId: 'agt_triage',
    sessionId: 'ses_1',
    occurredAt: '2026-11-22T10:00:00.000Z',
    schemaVersion: SCHEMA_VERSION,
    payload: {
      run: { environment: 'ci-log-triage', task: { caseId } },
      agentModel: { provider: 'builtin' },
      batchId: 'bat_1',
      ...overrides,
    },
  };
}

/** A model that plays a script of tool calls, one per turn, and records what it was asked. */
function scriptedModel(turns: ToolCall[][]): ModelProvider & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    name: 'anthropic',
    requests,
    async complete(request): Promise<ModelResponse> {
      requests.push(request);
      const toolCalls = turns[requests.length - 1] ?? [];
      return {
        text: toolCalls.length ? 'Looking.' : 'Done.',
        toolCalls,
        stopReason: toolCalls.length ? 'tool_use' : 'end_turn',
        usage: {
          ...zeroUsage(),
          inputTokens: 100 * requests.length,
          outputTokens: 20,
          cacheReadTokens: 50,
        },
        content: toolCalls.map((c) => ({ type: 'tool_use' as const, ...c })),
        model: request.model ?? 'claude-default',
      };
    },
  };
}

/** A watch on a session whose stored state the test sets (`session.state`), read every 10 ms. */
function watchedSession(state: SessionGateView | null = { status: 'running' }) {
  const session = { state, reads: 0 };
  const reader = {
    statusesByIds: async (_tenantId: string, ids: string[]) => {
      session.reads++;
      const state = session.state as SessionStatusView | null;
      return state ? ids.map((_id) => ({ ...state, _id })) : [];
    },
  };
  return { session, watch: new SessionWatch(reader, { sessionWatchMs: 10 }) };
}

function setup(model?: ModelProvider, watch = watchedSession()) {
  const published: SessionTopicMessage[] = [];
  const metrics = new ReverieMetrics('orchestrator');
  const catalog = new PlaybookCatalog();
  const providers: ModelProviderFactory = (settings) => {
    if (!model)
      throw new ModelProviderError('no provider in this test', {
        provider: settings.provider,
        kind: 'configuration',
      });
    return model;
  };
  const runner = new ManagedSessionRunner(
    catalog,
    [
      new TriageRunner({
        get: async (id) => {
          // As loadCase words it: the read error names the file on this server.
          if (id !== aCase.id)
            throw new TriageError(
              `case ${id} has no readable fail.log: ENOENT: no such file or directory, open '/srv/datasets/ci-breakages/${id}/fail.log'`,
            );
          return aCase;
        },
      }),
    ],
    { publish: async (messages) => void published.push(...messages) },
    providers,
    { maxModelTurns: 5 },
    metrics,
    watch.watch,
  );
  const events = () =>
    published.flatMap((m) => (m.type === 'session.event_appended' ? [m.payload.event] : []));
  return { runner, published, catalog, events, metrics, session: watch.session };
}

describe('ManagedSessionRunner', () => {
  it('runs a builtin triage session: started, each step, submit_answer, the graded result, ended', async () => {
    const { runner, published, events, metrics } = setup();
    expect(await runner.run(aRunCommand())).toEqual({ status: 'completed' });
    expect((await metrics.exposition()).body).toContain(
      'reverie_sessions_run_total{environment="ci-log-triage",status="completed",service="orchestrator"} 1',
    );
    for (const m of published)
      expect(validateMessage(TOPICS.sessionEvents, m)).toMatchObject({ ok: true });
    expect(published[0]).toMatchObject({
      type: 'session.started',
      payload: { source: 'managed', title: 'demo_1', playbook: null, batchId: 'bat_1' },
    });
    expect(published.at(-1)).toMatchObject({
      type: 'session.ended',
      payload: { status: 'completed' },
    });
    expect(events().map((e) => [e.clientEventId, e.type, e.actor, e.step])).toEqual([
      ['step-1-observation', 'observation', 'triager', 1],
      ['step-1-action', 'action', 'triager', 1],
      ['step-2-action', 'action', 'triager', 2],
      ['step-2-result', 'observation', 'triager', 2],
    ]);
    expect(events()[2]).toMatchObject({
      name: 'submit_answer',
      params: { ranges: [{ start: 3, end: 3 }] },
    });
    expect(events()[3]).toMatchObject({
      data: { result: { answer: [{ start: 3, end: 3 }], precision: 1, recall: 1, f1: 1 } },
    });
  });

  it('publishes the same message ids when a session is run again', async () => {
    const first = setup();
    const second = setup();
    await first.runner.run(aRunCommand());
    await second.runner.run(aRunCommand());
    expect(second.published.map((m) => m.id)).toEqual(first.published.map((m) => m.id));
  });

  it("follows the agent's active playbook and names its version", async () => {
    const { runner, published, catalog, events } = setup();
    catalog.activate({
      id: 'pbv_1',
      type: 'playbook.version_activated',
      tenantId: 'acme',
      agentId: 'agt_triage',
      occurredAt: '2026-11-22T09:00:00.000Z',
      schemaVersion: SCHEMA_VERSION,
      payload: {
        playbookId: 'pbk_1',
        role: null,
        version: 3,
        entries: [
          {
            id: 'keep-compile-line',
            title: 'Keep the line before a compiler error',
            guidance: 'Include the line before an [ERROR] line.',
            rationale: 'It names the module.',
            evidence: [],
            helpful: 0,
            harmful: 0,
            status: 'active',
            rule: {
              when: { feature: 'distanceBeforeMarker', op: 'eq', value: 1 },
              then: { action: 'include' },
            },
          },
          { id: 'broken', title: 'no guidance' },
        ],
      },
    });
    await runner.run(aRunCommand());
    expect(published[0]).toMatchObject({
      payload: { playbook: { playbookId: 'pbk_1', version: 3 } },
    });
    expect(events().find((e) => e.type === 'action' && e.name === 'apply_rule')).toMatchObject({
      params: { entryId: 'keep-compile-line', added: [{ start: 2, end: 2 }] },
    });
    expect(events().find((e) => e.type === 'action' && e.name === 'submit_answer')).toMatchObject({
      params: { ranges: [{ start: 2, end: 3 }] },
    });
  });

  it('ends a session for an unknown case failed, with the reason, instead of throwing', async () => {
    const { runner, published, events } = setup();
    const outcome = await runner.run(aRunCommand({}, 'no_such_case'));
    expect(outcome).toEqual({
      status: 'failed',
      reason: expect.stringMatching(
        /^unknown case "no_such_case": the ci-breakages dataset has no readable case/,
      ),
    });
    expect(events()).toEqual([expect.objectContaining({ type: 'error', code: 'unknown_case' })]);
    expect(published.at(-1)).toMatchObject({
      type: 'session.ended',
      payload: { status: 'failed', reason: outcome.reason },
    });
    // What the tenant sees names the case, never a file of the server (that goes to the log).
    expect(JSON.stringify(published)).not.toMatch(/\/srv\/|ENOENT|fail\.log/);
  });

  it('lets a model triage with the tools, recording every call with its usage', async () => {
    const model = scriptedModel([
      [{ id: 't1', name: 'search', input: { pattern: 'ERROR' } }],
      [{ id: 't2', name: 'submit_answer', input: { ranges: [{ start: 3, end: 4 }] } }],
    ]);
    const { runner, published, events } = setup(model);
    const outcome = await runner.run(
      aRunCommand({
        agentModel: { provider: 'builtin' },
        run: {
          environment: 'ci-log-triage',
          task: { caseId: 'demo_1' },
          model: { provider: 'anthropic', model: 'claude-run' },
          team: { triager: { provider: 'anthropic', model: 'claude-triager', maxTokens: 512 } },
        },
      }),
    );
    expect(outcome).toEqual({ status: 'completed' });
    expect(model.requests).toHaveLength(2);
    expect(model.requests[0]).toMatchObject({ model: 'claude-triager', maxTokens: 512 });
    expect(model.requests[0].tools?.map((t) => t.name)).toEqual([
      'read_lines',
      'search',
      'diff_summary',
      'submit_answer',
    ]);
    expect(events().map((e) => `${e.step}:${e.type}${'name' in e ? `:${e.name}` : ''}`)).toEqual([
      '1:model_call',
      '1:message',
      '1:tool_call:search',
      '1:tool_result',
      '2:model_call',
      '2:message',
      '2:tool_call:submit_answer',
      '2:tool_result',
      '2:observation',
    ]);
    expect(events()[0]).toMatchObject({
      provider: 'anthropic',
      model: 'claude-triager',
      usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 50, cacheWriteTokens: 0 },
    });
    expect(events()[3]).toMatchObject({ output: { matches: [{ n: 3 }] }, isError: false });
    expect(events().at(-1)).toMatchObject({
      data: { result: { answer: [{ start: 3, end: 4 }], precision: 0.5, recall: 1 } },
    });
    expect(published.at(-1)).toMatchObject({
      type: 'session.ended',
      payload: { status: 'completed' },
    });
  });

  it('ends the session failed when the model fails or never answers', async () => {
    const broken: ModelProvider = {
      name: 'anthropic',
      complete: () =>
        Promise.reject(
          new ModelProviderError('overloaded after 5 attempts', {
            provider: 'anthropic',
            kind: 'unavailable',
          }),
        ),
    };
    const anthropic = { agentModel: { provider: 'anthropic' as const } };
    expect(await setup(broken).runner.run(aRunCommand(anthropic))).toEqual({
      status: 'failed',
      reason: 'model call failed (anthropic, unavailable): overloaded after 5 attempts',
    });
    expect(await setup(scriptedModel([])).runner.run(aRunCommand(anthropic))).toEqual({
      status: 'failed',
      reason: 'the model stopped after 1 turn(s) without calling submit_answer',
    });
  });

  it('throws (so the command is retried) only when the session cannot be published', async () => {
    const runner = new ManagedSessionRunner(
      new PlaybookCatalog(),
      [new TriageRunner({ get: async () => aCase })],
      { publish: () => Promise.reject(new Error('broker down')) },
      () => {
        throw new Error('unused');
      },
      { maxModelTurns: 5 },
      new ReverieMetrics('orchestrator'),
      watchedSession().watch,
    );
    await expect(runner.run(aRunCommand())).rejects.toThrow(
      /publishing 6 message\(s\) of session ses_1 failed: broker down/,
    );
  });

  describe('a session that ends while it runs', () => {
    /** A model that answers only once aborted (as the real provider: an `aborted` error). */
    function modelUntilAborted(): ModelProvider & { requests: ModelRequest[] } {
      const requests: ModelRequest[] = [];
      return {
        name: 'anthropic',
        requests,
        complete: (request) => {
          requests.push(request);
          return new Promise((_, reject) =>
            request.signal?.addEventListener('abort', () =>
              reject(
                new ModelProviderError('the request was aborted', {
                  provider: 'anthropic',
                  kind: 'aborted',
                }),
              ),
            ),
          );
        },
      };
    }
    const anthropic = { agentModel: { provider: 'anthropic' as const } };

    it('stops its run: the model call in flight is aborted and nothing more is published', async () => {
      const model = modelUntilAborted();
      const { runner, published, session, metrics } = setup(model);
      const outcome = runner.run(aRunCommand(anthropic));
      await expectEventually(() => expect(model.requests).toHaveLength(1), { intervalMs: 5 });
      const sent = published.length;
      session.state = { status: 'canceled', endReason: 'changed my mind', iteration: 1 };

      expect(await outcome).toEqual({
        status: 'canceled',
        reason:
          'its session ended while it ran (canceled: changed my mind); run stopped, 0 unpublished message(s) dropped',
      });
      expect(model.requests).toHaveLength(1);
      expect(model.requests[0].signal?.aborted).toBe(true);
      // The client's end stands: no error, no ended message of the run's own.
      expect(published).toHaveLength(sent);
      expect(published.map((m) => m.type)).not.toContain('session.ended');
      expect((await metrics.exposition()).body).toContain(
        'reverie_sessions_run_total{environment="ci-log-triage",status="canceled",service="orchestrator"} 1',
      );
      // The watch ends with the run.
      const reads = session.reads;
      await new Promise((r) => setTimeout(r, 50));
      expect(session.reads).toBe(reads);
    });

    it('goes on while the session runs, was never stored, or shows the end of an earlier attempt', async () => {
      for (const [state, revision] of [
        [{ status: 'running' }, null],
        [null, null],
        // A revision starts before the ingest has stored its start: attempt 1's end shows.
        [
          { status: 'completed', iteration: 1 },
          { iteration: 2, outcomeId: 'out_1', feedback: 'missed line 4' },
        ],
      ] as const) {
        const model = scriptedModel([
          [{ id: 't1', name: 'search', input: { pattern: 'ERROR' } }],
          [{ id: 't2', name: 'submit_answer', input: { ranges: [{ start: 3, end: 3 }] } }],
        ]);
        const slow: ModelProvider = {
          name: model.name,
          // Slower than the watch's reads, so the run is watched while it waits.
          complete: async (request) => {
            await new Promise((r) => setTimeout(r, 40));
            return model.complete(request);
          },
        };
        const { runner, session, published } = setup(slow, watchedSession(state));
        expect(await runner.run(aRunCommand(anthropic), revision)).toEqual({
          status: 'completed',
        });
        expect(session.reads).toBeGreaterThan(1);
        expect(published.at(-1)).toMatchObject({ type: 'session.ended' });
      }
    });
  });
});
