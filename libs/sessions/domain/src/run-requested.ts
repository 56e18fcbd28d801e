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

/** The command that asks an orchestrator replica to run a managed session the gateway stored. */
export function runRequested(
  to: { tenantId: string; agentId: string; sessionId: string },
  run: RunSpec,
  agentModel: RunModelSettings,
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
    payload: { run, ...(batchId ? { batchId } : {}), agentModel },
  };
}
