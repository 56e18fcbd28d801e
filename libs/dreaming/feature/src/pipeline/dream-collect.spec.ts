import type { DreamCheckpointRepository, DreamRecord } from '@reverie/dreaming-data-access';
import type {
  OutcomeDefinitionRepository,
  OutcomeRecord,
  OutcomeRepository,
} from '@reverie/outcomes-data-access';
import type { SessionReader, SessionView } from '@reverie/sessions-data-access/readers';
import { DEFAULT_DREAMER_OPTIONS } from '../dreamer.options';
import { DreamControl, LOCAL_LEASE } from './dream-control';
import { DreamPipeline, withSettledGrades, withStoredEnds } from './dream-pipeline';

const now = new Date('2026-11-23T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

/** An ended external session; `endStored` is the ingest's mark (absent: not stored yet). */
function ended(id: string, endedAt: Date, endStored?: number): SessionView {
  return {
    _id: id,
    agentId: 'agt_1',
    status: 'completed',
    source: 'external',
    iteration: 1,
    endedAt,
    ...(endStored !== undefined ? { endStoredIteration: endStored } : {}),
  } as SessionView;
}

/** Keeps what collect produced, and stops the pipeline at any later stage. */
class CollectOnly extends DreamControl {
  collected: unknown;
  constructor() {
    super(LOCAL_LEASE, 'drm_1', 'test', 60_000);
  }
  override async stage<T>(...args: Parameters<DreamControl['stage']>): Promise<T> {
    if (args[0] !== 'collect') throw new Error('stopped after collect');
    this.collected = await super.stage(...args);
    return this.collected as T;
  }
}

/**
 * The pipeline with its store reads faked (collect only reads sessions, events and outcomes):
 * what matters is which sessions it reads events of and where the next review starts.
 */
function pipelineOver(sessions: SessionView[], graded?: Record<string, number>) {
  const eventsOf = jest.fn(async () => []);
  const reader = { endedForReview: async () => sessions, eventsOf } as unknown as SessionReader;
  // `graded`: the agent has an outcome definition, and the iteration graded of each session.
  const stored = new Map(
    Object.entries(graded ?? {}).map(([id, iteration]) => [id, { iteration } as OutcomeRecord]),
  );
  const outcomes = { latestForSessions: async () => stored } as unknown as OutcomeRepository;
  const definitions = {
    latest: async () => (graded ? { version: 1, definition: {} } : null),
  } as unknown as OutcomeDefinitionRepository;
  const none = {} as never;
  const noCheckpoint = { load: async () => null } as unknown as DreamCheckpointRepository;
  const pipeline = new DreamPipeline(
    reader,
    outcomes,
    definitions,
    none,
    noCheckpoint,
    none,
    none,
    none,
    {
      ...DEFAULT_DREAMER_OPTIONS,
      datasetsDir: '/nonexistent',
    },
  );
  return { pipeline, eventsOf };
}

const since = { type: 'since_last_dream', limit: 100 } as const;
const dream = (input: DreamRecord['input']) =>
  ({ _id: 'drm_1', tenantId: 't1', agentId: 'agt_1', input }) as DreamRecord;

async function collect(
  sessions: SessionView[],
  input: DreamRecord['input'],
  graded?: Record<string, number>,
) {
  const { pipeline, eventsOf } = pipelineOver(sessions, graded);
  const control = new CollectOnly();
  // What runs after collect has no store here and fails: only collect's result is looked at.
  await pipeline.run(dream(input), control, null, now).catch((err: Error) => {
    if (control.collected === undefined) throw err;
  });
  const value = control.collected as { reviewedUntil: { sessionId: string } | null };
  const read = eventsOf.mock.calls.map((call) => (call as unknown[])[1]);
  return { read, reviewedUntil: value.reviewedUntil, notes: control.notes };
}

describe("a dream's collect: only sessions whose last events are stored", () => {
  it('does not read a just-ended session whose end the ingest has not stored, nor move past it', async () => {
    const sessions = [
      ended('ses_a', ago(30), 1),
      ended('ses_b', ago(1)), // ended a minute ago; the ingest has not reached its end yet
      ended('ses_c', ago(0), 1),
    ];
    const { read, reviewedUntil, notes } = await collect(sessions, since);
    expect(read).toEqual([['ses_a']]);
    // The next dream starts after ses_a, so ses_b is reviewed once its end is stored.
    expect(reviewedUntil).toMatchObject({ sessionId: 'ses_a' });
    expect(notes.join('\n')).toMatch(/2 ended session\(s\) left for a later dream.*ses_b, ses_c/);
  });

  it('reads a named session only once its end is stored, and says which it left out', async () => {
    const sessions = [ended('ses_a', ago(1)), ended('ses_b', ago(0), 1)];
    const { read, reviewedUntil, notes } = await collect(sessions, {
      type: 'sessions',
      sessionIds: ['ses_a', 'ses_b'],
    });
    expect(read).toEqual([['ses_b']]);
    expect(reviewedUntil).toBeNull();
    expect(notes.join('\n')).toMatch(/1 ended session\(s\) left for a later dream.*ses_a/);
    expect(notes.join('\n')).not.toMatch(/not reviewed \(not this agent's/);
  });
});

describe("a dream's collect, for an agent with an outcome definition: only graded sessions", () => {
  it('leaves a session whose last attempt the grader has not graded for a later dream, and does not move past it', async () => {
    const sessions = [
      ended('ses_a', ago(3), 1),
      { ...ended('ses_b', ago(2), 2), iteration: 2 }, // revised: only attempt 1 is graded
      ended('ses_c', ago(1), 1),
    ];
    const { read, reviewedUntil, notes } = await collect(sessions, since, {
      ses_a: 1,
      ses_b: 1,
      ses_c: 1,
    });
    expect(read).toEqual([['ses_a']]);
    expect(reviewedUntil).toMatchObject({ sessionId: 'ses_a' });
    expect(notes.join('\n')).toMatch(
      /2 ended session\(s\) left for a later dream: the grader has not graded their last attempt yet, or sent them back for another \(ses_b, ses_c\)/,
    );
  });

  it('reviews every session once each is graded, and does not wait for grades without a definition', async () => {
    const sessions = [ended('ses_a', ago(3), 1), ended('ses_b', ago(1), 1)];
    expect((await collect(sessions, since, { ses_a: 1, ses_b: 1 })).read).toEqual([
      ['ses_a', 'ses_b'],
    ]);
    const ungraded = await collect(sessions, since);
    expect(ungraded.read).toEqual([['ses_a', 'ses_b']]);
    expect(ungraded.notes.join('\n')).not.toMatch(/left for a later dream/);
  });
});

describe('withSettledGrades', () => {
  const graded = (entries: Record<string, number>) =>
    new Map(
      Object.entries(entries).map(([id, iteration]) => [
        id,
        { iteration, result: 'satisfied' as const, regrade: false },
      ]),
    );

  it('reviews a session the grader never graded once its end is 10 minutes old', () => {
    const old = ended('ses_old', ago(11), 1);
    const recent = ended('ses_new', ago(9), 1);
    expect(withSettledGrades([old, recent], graded({}), 'since_last_dream', now)).toEqual({
      sessions: [old],
      deferred: [recent],
    });
  });

  it('waits for the next attempt of a managed session the grader sent back, not of an external one', () => {
    const verdicts = new Map([
      ['ses_m', { iteration: 1, result: 'needs_revision' as const, regrade: false }],
      ['ses_x', { iteration: 1, result: 'needs_revision' as const, regrade: false }],
      ['ses_r', { iteration: 1, result: 'needs_revision' as const, regrade: true }],
    ]);
    const managed = {
      ...ended('ses_m', ago(1), 1),
      run: { environment: 'lunar-lander' },
    } as SessionView;
    const external = ended('ses_x', ago(1), 1);
    const regraded = {
      ...ended('ses_r', ago(1), 1),
      run: { environment: 'lunar-lander' },
    } as SessionView;
    expect(withSettledGrades([managed, external, regraded], verdicts, 'sessions', now)).toEqual({
      sessions: [external, regraded],
      deferred: [managed],
    });
    // Past the grace the orchestrator had every chance to fly it again.
    const old = { ...managed, endedAt: ago(11) } as SessionView;
    expect(withSettledGrades([old], verdicts, 'sessions', now).sessions).toEqual([old]);
  });

  it('leaves out only the ungraded one of named sessions', () => {
    const a = ended('ses_a', ago(1), 1);
    const b = ended('ses_b', ago(1), 1);
    expect(withSettledGrades([a, b], graded({ ses_b: 1 }), 'sessions', now)).toEqual({
      sessions: [b],
      deferred: [a],
    });
  });
});

describe('withStoredEnds: the grader rule (eventsComplete) applied to a review', () => {
  it("waits for the end of the session's current attempt", () => {
    const revised = { ...ended('ses_r', ago(30), 1), iteration: 2 };
    expect(withStoredEnds([revised], 'since_last_dream', now).sessions).toEqual([]);
    expect(
      withStoredEnds([{ ...revised, endStoredIteration: 2 }], 'sessions', now).sessions,
    ).toHaveLength(1);
  });

  it('takes a session ended before ends were marked once its end is 10 minutes old', () => {
    const legacy = (minutes: number) => ended(`ses_${minutes}`, ago(minutes));
    expect(withStoredEnds([legacy(11)], 'since_last_dream', now).sessions).toHaveLength(1);
    expect(withStoredEnds([legacy(5)], 'since_last_dream', now)).toEqual({
      sessions: [],
      deferred: [legacy(5)],
    });
  });
});
