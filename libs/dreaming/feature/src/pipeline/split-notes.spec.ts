import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import type { SplitTasks } from '../environments/environment-dreamer';
import { copiedTaskNotes } from './dream-stages';
import { fakeDreamer } from '../testing/fake-dreamer';
import { SAFE_OUTCOME } from '../testing/safe-outcome';
import { dreamOnce, memoryPorts } from '../testing/stage-ports';

/** A dreamer with these split sizes whose reflect stage drafts nothing. */
const withSplit = (train: number, validation: number, test: number, tasks?: () => SplitTasks) =>
  fakeDreamer({
    environment: 'lunar-lander',
    defaultObjective: parseOutcomeDefinition(SAFE_OUTCOME),
    task: 'landing',
    failure: 'crashed',
    split: { train, validation, test, reviewedHeldOut: 0, note: 'splits: fixed', tasks },
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

describe('held-out tasks that are copies of the tasks a dream learns from', () => {
  const ref = (id: string, digest: string) => ({ id, digest });

  it('names them, split by split, and digests the tasks once', async () => {
    let digested = 0;
    const withTasks = withSplit(3, 2, 3, () => {
      digested++;
      return {
        train: [ref('a', 'd1'), ref('b', 'd2'), ref('c', 'd3')],
        validation: [ref('v1', 'd2'), ref('v2', 'd9')],
        test: [ref('t1', 'd9'), ref('t2', 'd7'), ref('t3', 'd1')],
      };
    });
    const notes = await dreamOnce(withTasks, memoryPorts(false).ports);
    expect(notes).toEqual(
      expect.arrayContaining([
        '1 of 2 validation task(s) have the same content as a training task (v1 = b): they are not held-out, and the validation numbers flatter the dream; remove the copies',
        '2 of 3 test task(s) have the same content as a training or validation task (t1 = v2, t3 = a): they are not held-out, and the test numbers flatter the dream; remove the copies',
      ]),
    );
    expect(digested).toBe(1);
  });

  it('says nothing when every task differs, or the dreamer has no tasks of its own', () => {
    expect(
      copiedTaskNotes({
        train: [ref('a', 'd1')],
        validation: [ref('v', 'd2')],
        test: [ref('t', 'd3')],
      }),
    ).toEqual([]);
    expect(copiedTaskNotes(undefined)).toEqual([]);
  });
});

describe('a dream with no validation task', () => {
  it('does not remember as refused what no validation task judged', async () => {
    const dreamer = fakeDreamer({
      environment: 'lunar-lander',
      defaultObjective: parseOutcomeDefinition(SAFE_OUTCOME),
      task: 'landing',
      failure: 'crashed',
      split: { train: 3, validation: 0, test: 0, reviewedHeldOut: 0, note: 'splits: fixed' },
      lesson: { title: 'x', guidance: 'x', rationale: 'x', evidence: [] },
    });
    const { ports } = memoryPorts(false);
    await dreamOnce(dreamer, ports);
    const second = await dreamOnce(dreamer, ports);
    expect((await ports.loadMemory('lunar-lander')).refused).toEqual([]);
    expect(second.join('\n')).not.toMatch(/earlier dreams validated and refused/);
  });
});
