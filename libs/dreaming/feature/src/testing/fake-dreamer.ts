import type { EntryDraftInput } from '@reverie/dreaming-domain';
import type { EnvironmentDreamer } from '../environments/environment-dreamer';

/** What a spec's hand-written dreamer says; every other method is overridable. */
export type FakeDreamerSpec = Pick<EnvironmentDreamer, 'environment' | 'defaultObjective'> &
  Partial<EnvironmentDreamer> & {
    /** The task every session is about, and the failure a failed session reports. */
    task: string;
    failure: string;
    /** The one lesson its reflect stage drafts (for the one playbook, role null). */
    lesson: EntryDraftInput;
    /** Its split, as describeSplit reports it (every reviewed session trains, unless it says). */
    split: {
      train: number;
      validation: number;
      test: number;
      reviewedHeldOut: number;
      note: string;
      trainSessions?: ReadonlySet<string>;
    };
  };

/**
 * For pipeline specs: a dreamer with no sandbox of its own. A session succeeded when its status
 * is `completed`; nothing is localised; reflect drafts `lesson`; evaluate replays nothing.
 * Override the method a spec is about (`evaluate`, `offlineGate`, ...).
 */
export function fakeDreamer(spec: FakeDreamerSpec): EnvironmentDreamer {
  const { task, failure, lesson, split, ...rest } = spec;
  return {
    roles: [null],
    eventFilter: {},
    verdict: (s) => ({
      succeeded: s.session.status === 'completed',
      failure: s.session.status === 'completed' ? '' : failure,
      task,
      firedEntries: [],
    }),
    prepare: async (sessions) => ({ sessionIds: sessions.map((s) => s.session._id) }),
    describeSplit: (p) => ({
      trainSessions: new Set((p as { sessionIds?: string[] } | undefined)?.sessionIds ?? []),
      ...split,
    }),
    localise: async () => ({ localisations: [], work: { simulations: 0, summary: 'none' } }),
    reflect: async () => ({
      drafts: [{ role: null, draft: lesson }],
      work: { simulations: 0, summary: 'one lesson' },
    }),
    evaluate: async () => ({ runs: [], work: { simulations: 0, summary: 'as recorded' } }),
    ...rest,
  };
}
