import {
  SCHEMA_VERSION,
  type RunModelSettings,
  type RunRequested,
  type RunSpec,
} from '@reverie/contracts';
import { runCommandId } from './ids';

/** The agent's model settings as a run command carries them (only what a run uses). */
export function runModelOf(model: {
  provider: RunModelSettings['provider'];
  model?: string;
  maxTokens?: number;
}): RunModelSettings {
  return {
    provider: model.provider,
    ...(model.model !== undefined ? { model: model.model } : {}),
    ...(model.maxTokens !== undefined ? { maxTokens: model.maxTokens } : {}),
  };
}

/** The agent's model settings a run command carries: its own, and those of its roles that set one. */
export interface RunModels {
  agentModel: RunModelSettings;
  roleModels?: Record<string, RunModelSettings>;
}

/** Stored model settings: what a run uses, and more (a temperature) that it leaves out. */
type StoredModelSettings = Parameters<typeof runModelOf>[0] & Record<string, unknown>;

/** An agent's settings as run commands carry them (`RunModels`). */
export function runModelsOf(agent: {
  model: StoredModelSettings;
  roles?: { name: string; model?: StoredModelSettings }[];
}): RunModels {
  const agentModel = runModelOf(agent.model);
  const roleModels = Object.fromEntries(
    (agent.roles ?? []).flatMap((r) => (r.model ? [[r.name, runModelOf(r.model)]] : [])),
  );
  return Object.keys(roleModels).length > 0 ? { agentModel, roleModels } : { agentModel };
}

/** The command that asks an orchestrator replica to run a managed session the gateway stored. */
export function runRequested(
  to: { tenantId: string; agentId: string; sessionId: string },
  run: RunSpec,
  models: RunModels,
  at: Date,
  batchId?: string,
): RunRequested {
  return {
    id: runCommandId(to.sessionId),
    type: 'run.requested',
    tenantId: to.tenantId,
    agentId: to.agentId,
    sessionId: to.sessionId,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      run,
      ...(batchId ? { batchId } : {}),
      agentModel: models.agentModel,
      ...(models.roleModels ? { roleModels: models.roleModels } : {}),
    },
  };
}

/**
 * The `endReason` of a managed session canceled because its run command was not acknowledged
 * (Kafka unavailable, or it refused the command). An orchestrator skips a command for a session
 * that is not running, so the command, should it still land, does not run it; a retry of the
 * creating request under its `Idempotency-Key` reopens the session (`reopensOnRetry`) and sends
 * the command again (a keyed retry of a batch, each of its sessions so canceled). Fixed text: the
 * reopen matches it exactly.
 */
export const RUN_NOT_ACKNOWLEDGED =
  'the run command was not acknowledged (Kafka unavailable, or it refused the command), so the session was not run';

/** Whether a keyed retry of the request that created this managed session reopens it. */
export function reopensOnRetry(session: { status: string; endReason?: string | null }): boolean {
  return session.status === 'canceled' && session.endReason === RUN_NOT_ACKNOWLEDGED;
}
