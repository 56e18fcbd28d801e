import { applyDeltas, emptyPlaybook } from '@reverie/playbooks-domain';
import type { EnvironmentDreamer, SplitTasks } from '../environments/environment-dreamer';
import { oneLessonDreamer } from '../testing/fake-dreamer';
import { memoryPorts, dreamOnce } from '../testing/stage-ports';

const ref = (id: string) => ({ id, digest: `d-${id}` });
const TASKS: SplitTasks = {
  train: [ref('t1'), ref('t2')],
  validation: [ref('v1')],
  test: [ref('x1')],
};

/** A dreamer whose split has tasks of its own (none: null), and whose one lesson passes the gate. */
function aDreamer(tasks: SplitTasks | null, lesson = true): EnvironmentDreamer {
  const base = oneLessonDreamer();
  return {
    ...base,
    describeSplit: (p) => ({
      ...base.describeSplit(p),
      ...(tasks ? { tasks: () => tasks } : {}),
    }),
    ...(lesson
      ? {}
      : { reflect: async () => ({ drafts: [], work: { simulations: 0, summary: 'nothing' } }) }),
  };
}

describe("what a dream's version records it learned from", () => {
  it('a change of rules records the training and validation tasks (not the test split) on the agent', async () => {
    const { ports, stored } = memoryPorts(false);
    await dreamOnce(aDreamer(TASKS), ports);
    expect(stored).toHaveLength(1);
    expect(stored[0].version.learnedFrom).toEqual([
      {
        environment: 'external',
        input: 'sessions of agent agt_1',
        train: TASKS.train,
        validation: TASKS.validation,
      },
    ]);
  });

  it('records nothing for a dreamer without tasks of its own', async () => {
    const { ports, stored } = memoryPorts(false);
    await dreamOnce(aDreamer(null), ports);
    expect(stored).toHaveLength(1);
    expect('learnedFrom' in stored[0].version).toBe(false);
  });

  it("a counters-only version adds no record and keeps the head's", async () => {
    const earlier = {
      environment: 'external',
      input: 'sessions of agent agt_1',
      train: [ref('t0')],
      validation: [],
    };
    const head = applyDeltas(
      emptyPlaybook({ playbookId: 'pbk_1', agentId: 'agt_1' }),
      [{ kind: 'add', entry: { title: 'Check', guidance: 'Check it.', rationale: 'It failed.' } }],
      { kind: 'dream', id: 'drm_0' },
      '2026-11-01T00:00:00.000Z',
      { learnedFrom: [earlier] },
    );
    const counting: EnvironmentDreamer = {
      ...aDreamer(TASKS, false),
      verdict: (s) => ({
        succeeded: s.session.status === 'completed',
        failure: 'failed',
        task: 't1',
        firedEntries: [{ role: null, entryId: head.entries[0].id }],
      }),
    };
    const { ports, stored } = memoryPorts(false, { head });
    await dreamOnce(counting, ports);
    expect(stored).toHaveLength(1);
    expect(stored[0].version.message).toMatch(/counters only/);
    expect(stored[0].version.learnedFrom).toEqual([earlier]);
  });
});
