import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import { fakeDreamer } from '../testing/fake-dreamer';
import { SAFE_OUTCOME } from '../testing/safe-outcome';
import { dreamOnce, memoryPorts } from '../testing/stage-ports';

/** A dreamer with these split sizes whose reflect stage drafts nothing. */
const withSplit = (train: number, validation: number, test: number) =>
  fakeDreamer({
    environment: 'lunar-lander',
    defaultObjective: parseOutcomeDefinition(SAFE_OUTCOME),
    task: 'landing',
    failure: 'crashed',
    split: { train, validation, test, reviewedHeldOut: 0, note: 'splits: fixed' },
    lesson: { title: 'x', guidance: 'x', rationale: 'x', evidence: [] },
    reflect: async () => ({ drafts: [], work: { simulations: 0, summary: 'nothing' } }),
  });

describe("a dream's notes on splits too small to trust", () => {
  it('says when a handful of held-out tasks gate a promotion or report a rate', async () => {
    const notes = await dreamOnce(withSplit(20, 3, 1), memoryPorts(false).ports);
    expect(notes).toContain(
      'few held-out tasks (validation 3, test 1): a promotion rests on them; the test rates have wide intervals; give more tasks for firmer numbers',
    );
  });

  it('says nothing of them with enough held out', async () => {
    const notes = await dreamOnce(withSplit(20, 5, 5), memoryPorts(false).ports);
    expect(notes.join('\n')).not.toMatch(/few held-out/);
    expect(notes).toContain(
      'nothing left to learn: the reflectors found no change that helps on the training split; the dream stopped before validation',
    );
  });

  it('says an empty training split is why nothing was learned', async () => {
    const notes = await dreamOnce(withSplit(0, 5, 5), memoryPorts(false).ports);
    expect(notes.join('\n')).toMatch(/nothing left to learn: the training split is empty/);
  });
});
