import type { PlaybookTrial } from '@reverie/client';
import { trialOf, trialVersionsText } from './trials';

const trial = (
  id: string,
  status: PlaybookTrial['status'],
  playbooks: PlaybookTrial['playbooks'],
): PlaybookTrial => ({ id, status, playbooks }) as PlaybookTrial;

describe('canary trials in the console', () => {
  it('names each playbook on trial by role, candidate against control', () => {
    expect(
      trialVersionsText([
        { role: 'navigator', playbook_id: 'pb_n', candidate_version: 3, control_version: 2 },
        { role: null, playbook_id: 'pb_a', candidate_version: 1, control_version: 0 },
      ]),
    ).toBe('navigator v3 against v2; the agent’s own playbook v1 against no playbook');
  });

  it('finds the running trial that serves a proposal, by role and version', () => {
    const nav = {
      role: 'navigator',
      playbook_id: 'pb_n',
      candidate_version: 3,
      control_version: 2,
    };
    const own = { role: null, playbook_id: 'pb_a', candidate_version: 5, control_version: 4 };
    const trials = [
      trial('trl_new', 'running', [nav, own]),
      trial('trl_old', 'stopped', [{ ...nav, candidate_version: 2, control_version: 1 }]),
    ];
    expect(trialOf(trials, 'navigator', 3)?.id).toBe('trl_new');
    expect(trialOf(trials, undefined, 5)?.id).toBe('trl_new');
    // Another role's version, or a trial that has ended, is not this proposal's.
    expect(trialOf(trials, 'detector', 3)).toBeUndefined();
    expect(trialOf(trials, 'navigator', 2)).toBeUndefined();
    expect(trialOf(undefined, 'navigator', 3)).toBeUndefined();
  });
});
