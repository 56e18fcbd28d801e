import { checkpointKey, type CheckpointInputs } from './checkpoint';

const inputs: CheckpointInputs = {
  environment: 'lunar-lander',
  sessionIds: ['ses_1', 'ses_2'],
  failedSessionIds: ['ses_2'],
  playbooks: [{ role: 'commander', version: 3 }],
  objective: { source: 'agent', version: 2 },
  memory: { dreams: 1, refused: ['sig-a'] },
  maxSimulations: 600,
  model: { provider: 'builtin' },
  instructions: '',
};

describe('checkpointKey', () => {
  it('is the same for the same inputs and differs when any of them changes', () => {
    const key = checkpointKey(inputs);
    expect(checkpointKey(structuredClone(inputs))).toBe(key);
    const changed: Partial<CheckpointInputs>[] = [
      { sessionIds: ['ses_1', 'ses_2', 'ses_3'] },
      { failedSessionIds: [] },
      { playbooks: [{ role: 'commander', version: 4 }] },
      { objective: { source: 'agent', version: 3 } },
      { memory: { dreams: 1, refused: ['sig-a', 'sig-b'] } },
      { maxSimulations: 601 },
      { model: { provider: 'anthropic' } },
      { instructions: 'favour precision' },
    ];
    for (const change of changed) expect(checkpointKey({ ...inputs, ...change })).not.toBe(key);
  });
});
