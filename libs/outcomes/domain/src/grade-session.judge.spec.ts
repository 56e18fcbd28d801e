import { modelTriageEvents } from '../test/session-fixtures';
import { failedGraded } from './evaluators/evaluation';
import { gradeSession } from './grade-session';
import type { Judge, JudgeRequest } from './judge';
import { parseOutcomeDefinition } from './outcome-definition.schema';

/** A judge that answers from a script and remembers what it was asked. */
class FakeJudge implements Judge {
  readonly requests: JudgeRequest[] = [];
  constructor(
    private readonly scores: Record<string, number>,
    readonly offline = false,
  ) {}
  async judge(request: JudgeRequest) {
    this.requests.push(request);
    return {
      score: this.scores[request.criterionId],
      explanation: `the agent ${request.criterionId === 'cause' ? 'named the failing test' : 'rambled'}`,
      usage: { inputTokens: 1_200, outputTokens: 80, cacheReadTokens: 300, cacheWriteTokens: 10 },
      model: 'claude-judge',
    };
  }
}

const definition = (required: boolean) =>
  parseOutcomeDefinition({
    description: 'Explain the failure',
    criteria: [
      { id: 'submitted', kind: 'tool', tool: 'submit_answer', expect: 'called' },
      {
        id: 'cause',
        kind: 'judge',
        instructions: 'Did the agent name the failing test?',
        required,
      },
      {
        id: 'concise',
        kind: 'judge',
        instructions: 'Was the agent concise?',
        threshold: 0.5,
        model: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      },
    ],
  });

const grade = (
  judge: Judge | null,
  required = false,
  status: 'completed' | 'failed' = 'completed',
) =>
  gradeSession({
    definition: definition(required),
    definitionVersion: 2,
    events: modelTriageEvents(),
    session: { status },
    iteration: 1,
    judge,
  });

describe('gradeSession with judge criteria', () => {
  it('passes a judged criterion at or above its threshold, carries the explanation and sums usage', async () => {
    const judge = new FakeJudge({ cause: 0.9, concise: 0.4 });
    const g = await grade(judge);
    expect(g.criteria[1]).toMatchObject({
      id: 'cause',
      kind: 'judge',
      gradable: true,
      passed: true,
      score: 0.9,
      explanation: 'claude-judge scored 0.9 (threshold 0.7): the agent named the failing test',
    });
    expect(g.criteria[2]).toMatchObject({ passed: false, score: 0.4 });
    expect(g.judgeUsage).toEqual({
      inputTokens: 2_400,
      outputTokens: 160,
      cacheReadTokens: 600,
      cacheWriteTokens: 20,
    });
    expect(g.score).toBeCloseTo((1 + 0.9 + 0.4) / 3, 6);
    expect(g.failedCriteria).toEqual(['concise']);

    const [cause, concise] = judge.requests;
    expect(cause).toMatchObject({
      criterionId: 'cause',
      instructions: 'Did the agent name the failing test?',
      finalAnswer: '{"ranges":[{"start":40,"end":44}]}',
    });
    expect(cause.model).toBeUndefined();
    expect(cause.transcript).toContain(
      '[3] triager calls submit_answer {"ranges":[{"start":40,"end":44}]}',
    );
    expect(concise.model).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
  });

  it('without a judge, judged criteria are not gradable and never passed', async () => {
    const g = await grade(null);
    const offline =
      "not gradable offline: the builtin provider does not judge free text; set the criterion's model to anthropic";
    expect(g.criteria[1]).toMatchObject({
      gradable: false,
      passed: false,
      score: 0,
      explanation: offline,
    });
    expect(g.score).toBe(1); // only the tool check was gradable
    expect(g.result).toBe('satisfied');
    expect(g.failedCriteria).toEqual([]);
    expect(g.summary).toContain(`Not graded: cause: ${offline}; concise: ${offline}.`);
  });

  it('failedGraded names only the criteria that were graded and failed, never an ungraded one', async () => {
    // A localiser reads this as "what went wrong": a judge nobody ran says nothing either way,
    // even when the criterion is required (the grade's failedCriteria does name that one).
    const judge = new FakeJudge({ cause: 0.2, concise: 0.9 });
    expect(failedGraded((await grade(judge)).criteria).map((c) => c.id)).toEqual(['cause']);
    const offline = await grade(null, true);
    expect(offline.failedCriteria).toEqual(['cause']);
    expect(failedGraded(offline.criteria)).toEqual([]);
  });

  it('a required judged criterion without a judge (or with an offline one) fails the grade', async () => {
    for (const judge of [null, new FakeJudge({ cause: 1, concise: 1 }, true)]) {
      const g = await grade(judge, true);
      expect(g.result).toBe('failed');
      expect(g.failedCriteria).toEqual(['cause']);
      expect(g.summary).toMatch(
        /^Failed: required criterion cause could not be graded \(not gradable offline: /,
      );
    }
  });

  it('does not call the judge for a failed session', async () => {
    const judge = new FakeJudge({ cause: 1, concise: 1 });
    const g = await grade(judge, false, 'failed');
    expect(judge.requests).toEqual([]);
    expect(g.criteria[1]).toMatchObject({
      gradable: false,
      explanation: 'not judged: the session ended failed',
    });
    expect(g.result).toBe('failed');
  });

  it('refuses a judgement whose score is not a number', async () => {
    await expect(grade(new FakeJudge({ concise: 1 }))).rejects.toThrow(
      'the judge of criterion "cause" returned score undefined; a judge must return a number from 0 to 1',
    );
  });
});
