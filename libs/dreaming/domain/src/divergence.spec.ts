import { localiseByDivergence } from './divergence';
import { aSession } from './testing/dream.builders';

const failed = (signatures: string[], overrides = {}) =>
  aSession('ses_bad', signatures, { succeeded: false, ...overrides });

describe('localiseByDivergence', () => {
  it('finds the first step no successful session took, naming what they did instead', () => {
    const l = localiseByDivergence(
      failed(['tool:ls', 'tool:grep', 'answer:1-2'], {
        role: 'triager',
        failedCriteria: [{ id: 'finds-the-error' }],
      }),
      [
        aSession('ok1', ['tool:ls', 'tool:cat', 'answer:12-14']),
        aSession('ok2', ['tool:ls', 'tool:cat', 'answer:12-14']),
        aSession('ok3', ['tool:ls', 'tool:cat', 'answer:12-15']),
        aSession('ok4', ['tool:find', 'tool:cat', 'answer:12-14']),
      ],
    );
    expect(l).toMatchObject({
      sessionId: 'ses_bad',
      task: 't1',
      failure: 'finds-the-error failed',
      step: 1,
      role: 'triager',
      method: 'divergence',
      confidence: 0.75, // ok1, ok2 and ok3 did the same up to step 1; ok4 started otherwise
      simulations: 0,
    });
    expect(l.detail).toBe(
      'diverged at step 1 (action 2): did "tool:grep" where the 4 successful session(s) of task "t1" did "tool:cat" (4 of 4)',
    );
  });

  it('is fully confident with one success, and uses the step numbers the session recorded', () => {
    const bad = failed([]);
    bad.actions = [
      { step: 4, signature: 'action:set_throttle' },
      { step: 9, signature: 'action:divert' },
    ];
    const ok = aSession('ok', []);
    ok.actions = [
      { step: 4, signature: 'action:set_throttle' },
      { step: 9, signature: 'action:hold' },
    ];
    expect(localiseByDivergence(bad, [ok])).toMatchObject({
      step: 9,
      confidence: 1,
      method: 'divergence',
      role: null,
      failure: 'failed',
    });
  });

  it('ignores other tasks and failed sessions, and falls back to the earliest failed criterion', () => {
    const l = localiseByDivergence(
      failed(['tool:ls'], {
        failure: 'wrong lines',
        failedCriteria: [
          { id: 'cites-lines', steps: [7, 5] },
          { id: 'no-false-alarm', steps: [6] },
        ],
      }),
      [
        aSession('other-task', ['tool:cat'], { task: 't2' }),
        aSession('also-failed', ['tool:cat'], { succeeded: false }),
      ],
    );
    expect(l).toMatchObject({
      failure: 'wrong lines',
      step: 5,
      method: 'criteria',
      confidence: 0.5,
    });
    expect(l.detail).toBe(
      'no successful session of task "t1"; criterion "cites-lines" failed, earliest at step 5',
    );
  });

  it('gives no step with low confidence when nothing names one', () => {
    const l = localiseByDivergence(failed(['tool:ls'], { failedCriteria: [{ id: 'x' }] }), []);
    expect(l).toMatchObject({
      step: null,
      method: 'criteria',
      confidence: 0.2,
      failure: 'x failed',
    });
  });

  it('treats stopping early, or going on after the successes stopped, as a divergence', () => {
    const ok = [aSession('ok1', ['a', 'b', 'c']), aSession('ok2', ['a', 'b', 'c'])];
    const early = localiseByDivergence(failed(['a', 'b']), ok);
    expect(early).toMatchObject({ step: 2, method: 'divergence', confidence: 1 });
    expect(early.detail).toContain('stopped after 2 action(s) where');
    expect(early.detail).toContain('did "c" (2 of 2)');

    const late = localiseByDivergence(failed(['a', 'b', 'c', 'd']), ok);
    expect(late).toMatchObject({ step: 3, method: 'divergence' });
    expect(late.detail).toContain('did "d" where');
    expect(late.detail).toContain('did nothing more (2 of 2)');
  });

  it('falls back to the criteria when the failed session acted exactly like a success', () => {
    const l = localiseByDivergence(failed(['a', 'b']), [aSession('ok', ['a', 'b'])]);
    expect(l).toMatchObject({ method: 'criteria', step: null, confidence: 0.2 });
    expect(l.detail).toContain('acted exactly like a successful session');
  });
});
