import { seenNote, seenTasks, withRecords, type LearnedFrom } from './learned-from';

const record = (train: string[], validation: string[]): LearnedFrom => ({
  environment: 'ci-log-triage',
  input: 'cases',
  train,
  validation,
});

describe('what a playbook was learned from', () => {
  it('counts a task one dream trained on and another chose on as trained on, once', () => {
    const seen = seenTasks([record(['a'], ['b']), record(['b'], ['c'])], ['a', 'b', 'c', 'd']);
    expect(seen).toEqual({ train: ['a', 'b'], validation: ['c'] });
  });

  it('says when none of the tasks is held-out, and nothing when all are', () => {
    const all = seenNote(['pb.json'], { train: ['a', 'b'], validation: [] }, 2, 'cases');
    expect(all).toBe(
      'pb.json: of these 2 cases, the dreams that wrote it learned from 2 (training split: a, b), by id; their numbers are not held-out and flatter it: none of these cases is held-out for it',
    );
    expect(seenNote(['pb.json'], { train: [], validation: [] }, 2, 'cases')).toBeNull();
    // A team's playbooks, learned together: one note naming them all.
    expect(
      seenNote(['nav.json', 'cmd.json'], { train: ['s-1'], validation: [] }, 3, 'scenarios'),
    ).toBe(
      'nav.json, cmd.json: of these 3 scenarios, the dreams that wrote them learned from 1 (training split: s-1), by id; their numbers are not held-out and flatter them: judge them by the other 2',
    );
  });

  it('lists at most five ids, escaped as the caller shows them', () => {
    const ids = ['a\nz', 'b', 'c', 'd', 'e', 'f', 'g'];
    const note = seenNote(['pb.json'], { train: [], validation: ids }, 9, 'cases', (id) =>
      id.replace('\n', '\\n'),
    );
    expect(note).toContain('chose on 7 (validation split: a\\nz, b, c, d, e and 2 more)');
    expect(note).toContain('judge it by the other 2');
  });

  it('keeps a record once when a dream goes on from its own playbook', () => {
    const r = record(['a'], ['b']);
    expect(withRecords([r], [{ ...r }])).toEqual([r]);
    expect(withRecords([r], [record(['x'], [])])).toHaveLength(2);
  });
});
