import { modelSettingsFor } from './model-settings';

describe('modelSettingsFor', () => {
  const agentModel = { provider: 'anthropic' as const, model: 'agent-model' };
  const roleModels = { navigator: { provider: 'anthropic' as const, model: 'nav-model' } };
  const task = { environment: 'lunar-lander', task: {} };

  it("takes the run's team, then the run's model, then the agent's role, then the agent's, each whole", () => {
    const team = { navigator: { provider: 'builtin' as const } };
    const runModel = { provider: 'anthropic' as const, model: 'run-model' };
    const at = (run: object, role: string) =>
      modelSettingsFor({ run: { ...task, ...run }, agentModel, roleModels }, role);
    expect(at({ team, model: runModel }, 'navigator')).toEqual({ provider: 'builtin' });
    expect(at({ team, model: runModel }, 'commander')).toEqual(runModel);
    expect(at({}, 'navigator')).toEqual(roleModels.navigator);
    expect(at({}, 'commander')).toEqual(agentModel);
    // A command from before role models were carried.
    expect(modelSettingsFor({ run: task, agentModel }, 'navigator')).toEqual(agentModel);
  });
});
