import { TOPICS, validateMessage } from '@reverie/contracts';
import { newIds } from './ids';
import { reopensOnRetry, RUN_NOT_ACKNOWLEDGED, runModelsOf, runRequested } from './run-requested';

describe('run commands', () => {
  it('builds a run.requested that the contract accepts, one id per session', () => {
    const at = new Date('2026-11-22T10:00:00Z');
    // The agent's stored settings may hold more than a run uses (temperature).
    const agentModel = {
      provider: 'anthropic' as const,
      model: 'm',
      maxTokens: 100,
      temperature: 0.2,
    };
    const command = runRequested(
      { tenantId: 'acme', agentId: 'agt_1', sessionId: 'ses_1' },
      { environment: 'ci-log-triage', task: { caseId: 'a' } },
      runModelsOf({ model: agentModel }),
      at,
      'bat_1',
    );
    expect(validateMessage(TOPICS.runCommands, command)).toEqual({ ok: true, value: command });
    expect(command).toMatchObject({
      id: 'run_ses_1',
      sessionId: 'ses_1',
      occurredAt: at.toISOString(),
      payload: {
        batchId: 'bat_1',
        agentModel: { provider: 'anthropic', model: 'm', maxTokens: 100 },
      },
    });
    expect(command.payload.agentModel).not.toHaveProperty('temperature');
    expect(command.payload).not.toHaveProperty('roleModels');
    const single = runRequested(
      { tenantId: 'acme', agentId: 'agt_1', sessionId: 'ses_2' },
      { environment: 'ci-log-triage', task: { caseId: 'a' } },
      runModelsOf({ model: { provider: 'builtin' } }),
      at,
    );
    expect(single.payload).not.toHaveProperty('batchId');
  });

  it("carries the agent's settings of the roles that set a model, for the orchestrator to use where the run sets none", () => {
    const models = runModelsOf({
      model: { provider: 'builtin' },
      roles: [
        { name: 'commander' },
        { name: 'navigator', model: { provider: 'anthropic', model: 'm', temperature: 0.5 } },
      ],
    });
    expect(models).toEqual({
      agentModel: { provider: 'builtin' },
      roleModels: { navigator: { provider: 'anthropic', model: 'm' } },
    });
    const command = runRequested(
      { tenantId: 'acme', agentId: 'agt_1', sessionId: 'ses_3' },
      { environment: 'lunar-lander', task: { family: 'easy', index: 0 } },
      models,
      new Date(0),
    );
    expect(validateMessage(TOPICS.runCommands, command)).toEqual({ ok: true, value: command });
    expect(command.payload.roleModels).toEqual(models.roleModels);
  });

  it('hands out ids made together in sorted order', () => {
    const ids = newIds('ses', 500, 1_000);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(500);
    expect(ids[0]).toMatch(/^ses_[0-9a-f]{32}$/);
  });
});

describe('a managed session canceled because its run command was not acknowledged', () => {
  it('is reopened by a keyed retry; no other ended session is', () => {
    expect(reopensOnRetry({ status: 'canceled', endReason: RUN_NOT_ACKNOWLEDGED })).toBe(true);
    // Canceled by its client, or ended by its run: a retry answers it as it is.
    expect(reopensOnRetry({ status: 'canceled', endReason: 'user gave up' })).toBe(false);
    expect(reopensOnRetry({ status: 'canceled' })).toBe(false);
    expect(reopensOnRetry({ status: 'failed', endReason: RUN_NOT_ACKNOWLEDGED })).toBe(false);
    expect(reopensOnRetry({ status: 'running', endReason: null })).toBe(false);
  });

  it('says so', () => {
    expect(RUN_NOT_ACKNOWLEDGED).toMatch(/^the run command was not acknowledged .*not run$/);
  });
});
