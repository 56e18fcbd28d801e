import type { RunModelSettings, RunRequested } from '@reverie/contracts';

/**
 * The model settings one role runs with: the run's per-role (team) settings, else the run's own,
 * else the agent's for that role (its `roles[].model`), else the agent's. Settings are taken
 * whole from the first level that has them, so a run that switches provider does not inherit
 * the agent's model name.
 */
export function modelSettingsFor(
  payload: Pick<RunRequested['payload'], 'run' | 'agentModel' | 'roleModels'>,
  role: string,
): RunModelSettings {
  return (
    payload.run.team?.[role] ??
    payload.run.model ??
    payload.roleModels?.[role] ??
    payload.agentModel
  );
}
