import { taskRefs } from '@reverie/dreaming-feature';
import { seenNote, seenTasks, type LearnedFrom } from './learned-from';

const task = (id: string, log = id) => ({ id, failLines: [log] });
const record = (train: { id: string }[], validation: { id: string }[]): LearnedFrom => ({
  environment: 'ci-log-triage',
  input: 'cases',
  train: taskRefs(train),
  validation: taskRefs(validation),
});

describe('what a playbook was learned from', () => {
  it('matches tasks by content, not id: a task one dream trained on and another chose on counts as trained on, once', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => task(id));
    const seen = seenTasks([record([a], [b]), record([b], [c])], taskRefs([a, b, c, d]));
    expect(seen).toEqual({
      train: ['a', 'b'],
      validation: ['c'],
      heldOut: ['d'],
      inputs: ['cases'],
    });
    // Another task under a seen id is held-out; a seen task under another name is not.
    const renamed = seenTasks(
      [record([a], [])],
      taskRefs([task('a', 'other log'), { ...a, id: 'z' }]),
    );
    expect(renamed).toMatchObject({ train: ['z'], heldOut: ['a'] });
  });

  it('says when none of the tasks is held-out, and nothing when all are', () => {
    const seen = { train: ['a', 'b'], validation: [], heldOut: [], inputs: ['cases'] };
    expect(seenNote(['pb.json'], seen, 'cases')).toBe(
      'pb.json: of these 2 cases, the dreams that wrote it (on cases) learned from 2 (training split: a, b), the same cases by content; their numbers are not held-out and flatter it: none of these cases is held-out for it',
    );
    expect(seenNote(['pb.json'], { ...seen, train: [], heldOut: ['a', 'b'] }, 'cases')).toBeNull();
    // A team's playbooks, learned together: one note naming them all.
    expect(
      seenNote(
        ['nav.json', 'cmd.json'],
        { train: ['s-1'], validation: [], heldOut: ['s-2', 's-3'], inputs: ['fam.json'] },
        'scenarios',
      ),
    ).toBe(
      'nav.json, cmd.json: of these 3 scenarios, the dreams that wrote them (on fam.json) learned from 1 (training split: s-1), the same scenarios by content; their numbers are not held-out and flatter them: judge them by the other 2 (s-2, s-3)',
    );
  });

  it('lists at most five ids, escaped as the caller shows them', () => {
    const ids = ['a\nz', 'b', 'c', 'd', 'e', 'f', 'g'];
    const seen = { train: [], validation: ids, heldOut: ['x', 'y'], inputs: ['cases'] };
    const note = seenNote(['pb.json'], seen, 'cases', (id) => id.replace('\n', '\\n'));
    expect(note).toContain('chose on 7 (validation split: a\\nz, b, c, d, e and 2 more)');
    expect(note).toContain('judge it by the other 2 (x, y)');
  });
});
