import { outcomeEvaluatedEvent, type SessionEventBody } from '@reverie/contracts';
import { flown, hard, modelTriageEvents, triage, withResult } from '../test/session-fixtures';
import { eventsOfIteration, gradeSession, type Grade } from './grade-session';
import type { Judge } from './judge';
import { parseOutcomeDefinition } from './outcome-definition.schema';

const definition = parseOutcomeDefinition({
  description: 'Land softly, and explain the plan',
  criteria: [
    {
      id: 'soft',
      kind: 'bound',
      path: 'touchdown.vertical_speed',
      op: 'lte',
      value: 3,
      required: true,
    },
    { id: 'plan', kind: 'judge', instructions: 'Was the plan explained?' },
  ],
});

const verboseJudge: Judge = {
  judge: async () => ({
    score: 0.2,
    explanation: 'word '.repeat(2_000),
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 },
    model: 'claude-judge',
  }),
};

/** The grade as the grader publishes it in `outcome.evaluated`. */
const published = (grade: Grade) =>
  outcomeEvaluatedEvent.shape.payload.parse({
    ...grade,
    outcomeId: 'out_1',
    maxIterations: definition.maxIterations,
    regrade: false,
  });

describe('gradeSession and the outcome.evaluated contract', () => {
  it('produces a payload the contract accepts, clipping long judge explanations', async () => {
    const { events } = await flown('easy', 0);
    const errors = Array.from({ length: 250 }, (_, i) => triage.error(i, `glitch ${i}`));
    const grade = await gradeSession({
      definition,
      definitionVersion: 1,
      events: [...withResult(events, hard), ...errors],
      session: { status: 'completed', environment: 'lunar-lander' },
      iteration: 1,
      judge: verboseJudge,
    });
    expect(grade.criteria[1].explanation).toHaveLength(4_000);
    expect(grade.criteria[1].explanation.endsWith('…')).toBe(true);
    expect(grade.signals).toHaveLength(200);
    expect(() => published(grade)).not.toThrow();
    expect(published(grade)).toMatchObject({
      result: 'needs_revision',
      judgeUsage: { inputTokens: 10 },
    });
  });
});

describe('grading one attempt of a revised session', () => {
  /** Attempt 1 (events without `iteration`) landed hard; attempt 2 (stamped) landed softly. */
  async function revisedSession(): Promise<SessionEventBody[]> {
    const { events } = await flown('easy', 0);
    return [...withResult(events, hard), ...events.map((e) => ({ ...e, iteration: 2 }))];
  }

  it('grades only the events of the attempt asked for', async () => {
    const events = await revisedSession();
    const grade = (iteration: number) =>
      gradeSession({
        definition,
        definitionVersion: 1,
        events,
        session: { status: 'completed', environment: 'lunar-lander' },
        iteration,
      });
    const [first, second] = await Promise.all([grade(1), grade(2)]);
    expect(first.criteria[0]).toMatchObject({ id: 'soft', passed: false });
    expect(first.result).toBe('needs_revision');
    expect(second.criteria[0]).toMatchObject({ id: 'soft', passed: true });
    expect(second.result).toBe('satisfied');
  });

  it('uses every event when none carries an iteration', () => {
    const events = modelTriageEvents();
    expect(eventsOfIteration(events, 2)).toBe(events);
    const stamped = [events[0], { ...events[1], iteration: 2 }];
    expect(eventsOfIteration(stamped, 1)).toEqual([events[0]]);
    expect(eventsOfIteration(stamped, 2)).toEqual([{ ...events[1], iteration: 2 }]);
  });
});
