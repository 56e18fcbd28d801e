import { applyDeltas, emptyPlaybook } from '@reverie/playbooks-domain';
import type { EnvironmentDreamer } from '../environments/environment-dreamer';
import { oneLessonDreamer } from '../testing/fake-dreamer';
import { memoryPorts as ports, dreamOnce as dream } from '../testing/stage-ports';

/** A dreamer with no simulator; `liveTrial` says whether its candidates must be proven live. */
const aDreamer = (liveTrial: boolean) => oneLessonDreamer({ liveTrial });

describe('starting a canary trial from a dream', () => {
  it('stores the candidate of a liveTrial dreamer as a proposal and puts it on trial, even with publish apply', async () => {
    const { ports: p, stored, trials } = ports(true);
    const notes = await dream(aDreamer(true), p);
    expect(stored.map((s) => s.status)).toEqual(['proposed']);
    expect(trials).toEqual([[{ role: null, version: 1, status: 'proposed', trialId: 'trl_1' }]]);
    expect(notes).toContain('canary trial trl_1 started');
  });

  it('applies the candidate directly where there is no live traffic (offline ports)', async () => {
    const { ports: p, stored } = ports(false);
    await dream(aDreamer(true), p);
    expect(stored.map((s) => s.status)).toEqual(['active']);
  });

  it('starts no trial for a dreamer with a simulator', async () => {
    const { ports: p, stored, trials } = ports(true);
    await dream(aDreamer(false), p);
    expect(stored.map((s) => s.status)).toEqual(['active']);
    expect(trials).toEqual([]);
  });

  it('starts a newer trial for a liveTrial candidate while a trial runs (the writer stops the older one)', async () => {
    const { ports: p, stored, trials } = ports(true, { running: 'trl_0' });
    await dream(aDreamer(true), p);
    expect(stored.map((s) => s.status)).toEqual(['proposed']);
    expect(trials).toHaveLength(1);
  });

  describe('a dream that learns nothing new but counts uses of the current entries', () => {
    const head = applyDeltas(
      emptyPlaybook({ playbookId: 'pbk_1', agentId: 'agt_1' }),
      [
        {
          kind: 'add',
          entry: {
            title: 'Check first',
            guidance: "Check the order's status before refunding it.",
            rationale: 'Refunds of unchecked orders failed.',
          },
        },
      ],
      { kind: 'person', id: 'usr_1' },
      '2026-11-01T00:00:00.000Z',
    );
    /** No lesson drafted; every session fired the head's entry. */
    function countingDreamer(): EnvironmentDreamer {
      const base = aDreamer(true);
      return {
        ...base,
        reflect: async () => ({ drafts: [], work: { simulations: 0, summary: 'nothing' } }),
        verdict: (s) => ({
          ...base.verdict(s),
          firedEntries: [{ role: null, entryId: head.entries[0].id }],
        }),
      };
    }

    it('keeps the counters as an active version when no trial runs', async () => {
      const { ports: p, stored } = ports(true, { head, running: null });
      await dream(countingDreamer(), p);
      expect(stored.map((s) => s.status)).toEqual(['active']);
    });

    it('counts only the sessions on training tasks', async () => {
      const base = countingDreamer();
      const trainOnly = (ids: string[]): EnvironmentDreamer => ({
        ...base,
        describeSplit: (p) => ({ ...base.describeSplit(p), trainSessions: new Set(ids) }),
      });
      // ses_1 (failed) trains; ses_2 (completed) is on a held-out task: its use is not counted.
      const { ports: p, stored } = ports(true, { head, running: null });
      await dream(trainOnly(['ses_1']), p);
      expect(stored).toHaveLength(1);
      expect(stored[0].version.entries[0]).toMatchObject({ helpful: 0, harmful: 1 });
      expect(stored[0].version.message).toBe(
        'dream drm_1: 1 counters only from 1 training session(s) of 2 reviewed',
      );
      // No training session used it: nothing to count, so no version.
      const none = ports(true, { head, running: null });
      await dream(trainOnly([]), none.ports);
      expect(none.stored).toEqual([]);
    });

    it('makes no version active while a trial runs, and says why', async () => {
      const { ports: p, stored, trials } = ports(true, { head, running: 'trl_0' });
      const notes = await dream(countingDreamer(), p);
      expect(stored).toEqual([]);
      expect(trials).toEqual([]);
      expect(notes.join('\n')).toMatch(/counters not kept: canary trial trl_0 is running/);
    });
  });
});
