import type { EntryDraftInput } from '@reverie/dreaming-domain';
import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import type { EnvironmentDreamer, SplitSummary } from '../environments/environment-dreamer';

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
      tasks?: SplitSummary['tasks'];
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

/**
 * For pipeline specs: an `external` dreamer with no simulator that drafts one lesson, which a
 * held-out check passes; `overrides` replace any part (`liveTrial`, `describeSplit`, ...).
 */
export function oneLessonDreamer(overrides: Partial<EnvironmentDreamer> = {}): EnvironmentDreamer {
  return fakeDreamer({
    environment: 'external',
    defaultObjective: parseOutcomeDefinition({
      description: 'completed',
      environment: 'external',
      maxIterations: 1,
      passingScore: 1,
      criteria: [
        { id: 'completed', kind: 'bound', path: 'session.status', op: 'eq', value: 'completed' },
      ],
    }),
    offlineGate: () => ({
      split: 'validation',
      heldOut: 4,
      metric: 'failed sessions picked out',
      before: 0,
      after: 1,
      regressions: [],
      improvements: [],
      promote: true,
      reason: 'picks out failed sessions',
    }),
    task: 'refund',
    failure: 'failed',
    split: {
      train: 2,
      validation: 1,
      test: 1,
      reviewedHeldOut: 2,
      note: 'external sessions split by id',
    },
    lesson: {
      title: 'Check the order first',
      guidance: "Check the order's status before refunding it.",
      rationale: 'Refunds of unchecked orders failed.',
      evidence: [{ sessionId: 'ses_1' }],
    },
    ...overrides,
  });
}
