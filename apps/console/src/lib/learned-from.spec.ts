import { learnedFromLines } from './learned-from';

const ref = (id: string) => ({ id, digest: `d-${id}` });

describe('what a playbook version was learned from, in the console', () => {
  it('says a line a record: its training and validation tasks, environment and input', () => {
    expect(
      learnedFromLines([
        {
          environment: 'lunar-lander',
          input: 'sessions of agent agt_1',
          train: [ref('a'), ref('b')],
          validation: [ref('c')],
        },
        { environment: 'ci-log-triage', input: './cases', train: [ref('x')], validation: [] },
      ]),
    ).toEqual([
      'Learned from 2 training tasks and chose on 1 validation task of lunar-lander (sessions of agent agt_1); no test task.',
      'Learned from 1 training task and chose on 0 validation tasks of ci-log-triage (./cases); no test task.',
    ]);
  });

  it('says nothing for a version no dream learned, or an answer without the field', () => {
    expect(learnedFromLines([])).toEqual([]);
    expect(learnedFromLines(undefined)).toEqual([]);
  });
});
