import {
  aborted,
  crashed,
  flown,
  hard,
  outOfFuel,
  tipped,
  withResult,
} from '../test/session-fixtures';
import { gradeSession } from './grade-session';
import { parseOutcomeDefinition } from './outcome-definition.schema';

const rubric = parseOutcomeDefinition({
  description: 'Land softly and upright near the planned site without running dry.',
  environment: 'lunar-lander',
  criteria: [
    {
      id: 'landed',
      kind: 'bound',
      path: 'flight.status',
      op: 'eq',
      value: 'landed',
      required: true,
    },
    {
      id: 'soft-touchdown',
      kind: 'bound',
      path: 'touchdown.vertical_speed',
      op: 'lte',
      value: 3,
      required: true,
      weight: 2,
    },
    {
      id: 'upright',
      kind: 'bound',
      path: 'touchdown.tilt_deg',
      op: 'lte',
      value: 10,
      required: true,
    },
    { id: 'fuel-left', kind: 'bound', path: 'fuel.left', op: 'gt', value: 0, required: true },
    { id: 'near-site', kind: 'bound', path: 'touchdown.distance_to_site', op: 'lte', value: 20 },
    { id: 'no-abort', kind: 'tool', tool: 'abort', expect: 'not_called' },
    { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true },
  ],
});

async function gradeLanding(change: Parameters<typeof withResult>[1] | null, iteration = 1) {
  const { events, result } = await flown('easy', 0);
  const grade = await gradeSession({
    definition: rubric,
    definitionVersion: 4,
    events: change ? withResult(events, change) : events,
    session: { status: 'completed', environment: 'lunar-lander' },
    iteration,
  });
  const byId = Object.fromEntries(grade.criteria.map((c) => [c.id, c]));
  return { grade, byId, step: result.steps };
}

describe('gradeSession of landings', () => {
  it('a real safe landing is satisfied with every criterion passed', async () => {
    const { grade, byId, step } = await gradeLanding(null);
    expect(grade).toMatchObject({
      result: 'satisfied',
      score: 1,
      iteration: 1,
      definitionVersion: 4,
      failedCriteria: [],
    });
    expect(byId['soft-touchdown']).toMatchObject({
      gradable: true,
      passed: true,
      score: 1,
      weight: 2,
      required: true,
      steps: [step],
    });
    expect(byId['soft-touchdown'].explanation).toMatch(
      new RegExp(`^vertical speed 0\\.\\d+ m/s at touchdown \\(step ${step}\\) is at most 3 m/s$`),
    );
    expect(byId['no-abort'].explanation).toBe('abort was not called');
    expect(byId.safe).toMatchObject({
      passed: true,
      explanation: `safe touchdown (step ${step}) is true`,
    });
    expect(grade.summary).toBe(
      'Satisfied at iteration 1 of 3 (score 1, passing 0.8). All 7 graded criteria passed.',
    );
    expect(grade.signals).toEqual([]);
    expect(grade.judgeUsage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it('a hard landing needs revision at iteration 1, naming 4.2 m/s and the step', async () => {
    const { grade, byId, step } = await gradeLanding(hard);
    const explanation = `vertical speed 4.2 m/s at touchdown (step ${step}) is above 3 m/s`;
    expect(byId['soft-touchdown']).toMatchObject({
      passed: false,
      score: 0,
      explanation,
      steps: [step],
    });
    expect(grade.result).toBe('needs_revision');
    expect(grade.score).toBeCloseTo(5 / 8, 6); // 3 of 8 weight failed
    expect(grade.failedCriteria).toEqual(['soft-touchdown', 'safe']);
    expect(grade.summary).toBe(
      `Needs revision after iteration 1 of 3 (score 0.63, passing 0.8). Required criteria not met: soft-touchdown. ` +
        `soft-touchdown failed: ${explanation}; safe failed: safe touchdown (step ${step}) is false, not true.`,
    );
  });

  it('the same hard landing at iteration 3 of 3 has reached the maximum', async () => {
    const { grade } = await gradeLanding(hard, 3);
    expect(grade.result).toBe('max_iterations_reached');
    expect(grade.summary).toMatch(
      /^Not satisfied after 3 of 3 iterations \(score 0\.63, passing 0\.8\); no attempts left\. /,
    );
    expect(grade.summary).toContain('vertical speed 4.2 m/s at touchdown');
  });

  it('tipped: the tilt is named against its limit', async () => {
    const { grade, byId, step } = await gradeLanding(tipped);
    expect(grade.result).toBe('needs_revision');
    expect(byId.upright.explanation).toBe(`tilt 14° at touchdown (step ${step}) is above 10°`);
    expect(grade.failedCriteria).toEqual(['upright', 'safe']);
  });

  it('out of fuel: no fuel left and a hard contact', async () => {
    const { grade, byId, step } = await gradeLanding(outOfFuel);
    expect(grade.failedCriteria).toEqual(['soft-touchdown', 'fuel-left', 'safe']);
    expect(byId['fuel-left'].explanation).toBe(`fuel left 0 kg (step ${step}) is not above 0 kg`);
    expect(grade.result).toBe('needs_revision');
  });

  it('crashed: the status is not landed', async () => {
    const { grade, byId, step } = await gradeLanding(crashed);
    expect(byId.landed.explanation).toBe(`flight status "crashed" (step ${step}) is not "landed"`);
    expect(grade.failedCriteria).toEqual(['landed', 'soft-touchdown', 'safe']);
    expect(grade.score).toBeCloseTo(4 / 8, 6);
  });

  it('aborted: touchdown bounds fail because the value is absent, saying why', async () => {
    const { grade, byId, step } = await gradeLanding(aborted);
    expect(byId['soft-touchdown']).toMatchObject({
      gradable: true,
      passed: false,
      explanation: `vertical speed (touchdown.vertical_speed) is absent: the flight ended aborted at step ${step} without touching down`,
      steps: [],
    });
    expect(grade.failedCriteria).toEqual([
      'landed',
      'soft-touchdown',
      'upright',
      'near-site',
      'safe',
    ]);
    expect(grade.result).toBe('needs_revision');
  });

  it('a failed session fails, with the reason from its last error or the end reason', async () => {
    const { events } = await flown('easy', 0);
    const error = {
      clientEventId: 'err-1',
      type: 'error' as const,
      step: 3,
      message: 'model provider unavailable',
      code: 'provider_error',
    };
    const failed = await gradeSession({
      definition: rubric,
      definitionVersion: 1,
      events: [...events.slice(0, 20), error],
      session: { status: 'failed', environment: 'lunar-lander' },
      iteration: 1,
    });
    expect(failed.result).toBe('failed');
    expect(failed.summary).toMatch(
      /^Failed: the session ended failed: provider_error: model provider unavailable\. /,
    );
    expect(failed.signals).toEqual([
      { kind: 'error', step: 3, detail: 'provider_error: model provider unavailable' },
    ]);

    const canceled = await gradeSession({
      definition: rubric,
      definitionVersion: 1,
      events,
      session: { status: 'canceled', environment: 'lunar-lander', reason: 'canceled by the user' },
      iteration: 1,
    });
    expect(canceled.result).toBe('failed');
    expect(canceled.summary).toMatch(
      /^Failed: the session ended canceled: canceled by the user\. /,
    );
  });

  it('a session of another environment than the definition’s fails, saying so', async () => {
    const grade = await gradeSession({
      definition: rubric,
      definitionVersion: 1,
      events: [],
      session: { status: 'completed', environment: 'ci-log-triage' },
      iteration: 1,
    });
    expect(grade.result).toBe('failed');
    expect(grade.summary).toMatch(
      /^Failed: this outcome grades lunar-lander sessions, and this session is ci-log-triage\./,
    );
  });
});
