import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutcomeError } from './errors';
import { knownFactNames } from './fact-names';
import { parseOutcomeDefinition } from './outcome-definition.schema';

/** The error `parseOutcomeDefinition` throws for `input`. */
function refusal(input: unknown): OutcomeError {
  try {
    parseOutcomeDefinition(input);
  } catch (err) {
    if (err instanceof OutcomeError) return err;
    throw err;
  }
  throw new Error('expected the definition to be refused');
}

const lander = (criteria: unknown[]) => ({
  description: 'Land softly',
  environment: 'lunar-lander',
  criteria,
});

describe('parseOutcomeDefinition', () => {
  it('accepts every criterion kind and fills in the defaults', () => {
    const def = parseOutcomeDefinition({
      description: 'Triage the failed build',
      environment: 'ci-log-triage',
      criteria: [
        { id: 'small', kind: 'bound', path: 'answer.ranges', op: 'lte', value: 3 },
        { id: 'first', kind: 'answer_path', path: '$.ranges[0].start', op: 'gte', value: 1 },
        { id: 'count', kind: 'answer_path', path: '$.ranges.length', op: 'eq', value: 1 },
        { id: 'shape', kind: 'answer_regex', pattern: '"start":\\d+', flags: 'i' },
        { id: 'submitted', kind: 'tool', tool: 'submit_answer', expect: 'called', required: true },
        { id: 'quick', kind: 'step_limit', maxSteps: 10 },
        { id: 'cheap', kind: 'token_budget', maxTokens: 50_000, maxCostUsd: 0.5 },
        { id: 'f1', kind: 'label_match', metric: 'f1', min: 0.5, weight: 3 },
        {
          id: 'reasoning',
          kind: 'judge',
          instructions: 'Did the agent explain the cause?',
          model: { provider: 'anthropic', model: 'claude-sonnet-4-5', maxTokens: 500 },
        },
      ],
    });
    expect(def).toMatchObject({ maxIterations: 3, passingScore: 0.8 });
    expect(def.criteria[0]).toEqual({
      id: 'small',
      kind: 'bound',
      path: 'answer.ranges',
      op: 'lte',
      value: 3,
      weight: 1,
      required: false,
    });
    expect(def.criteria[3]).toMatchObject({ expect: 'match' });
    expect(def.criteria[4]).toMatchObject({ required: true });
    expect(def.criteria[7]).toMatchObject({ weight: 3 });
    expect(def.criteria[8]).toMatchObject({ threshold: 0.7 });
  });

  it('refuses an empty rubric', () => {
    const err = refusal({ description: 'Nothing', criteria: [] });
    expect(err.code).toBe('invalid_outcome');
    expect(err.message).toBe(
      'criteria: must list at least one criterion: an empty rubric grades nothing',
    );
  });

  it('refuses a weight of 0, saying weights must be positive', () => {
    const err = refusal(
      lander([
        { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true, weight: 0 },
      ]),
    );
    expect(err.message).toBe('criteria[0].weight: must be a positive number, got 0');
  });

  it('refuses an unknown fact path and lists the known ones for the environment', () => {
    const err = refusal(
      lander([{ id: 'soft', kind: 'bound', path: 'touchdown.vertical_sped', op: 'lte', value: 3 }]),
    );
    expect(err.problems).toEqual([
      {
        path: 'criteria[0].path',
        message: `"touchdown.vertical_sped" is not a known value for lunar-lander; known: ${knownFactNames('lunar-lander').join(', ')}`,
      },
    ]);
    expect(err.message).toContain('known: session.status, session.steps');
    expect(err.message).toContain('touchdown.vertical_speed');
    expect(err.message).not.toContain('answer.ranges');
  });

  it("refuses another environment's fact, and accepts any environment's without one", () => {
    const answerBound = { id: 'small', kind: 'bound', path: 'answer.ranges', op: 'lte', value: 3 };
    expect(refusal(lander([answerBound])).message).toMatch(
      /^criteria\[0\]\.path: "answer\.ranges" is not a known value for lunar-lander/,
    );
    expect(() =>
      parseOutcomeDefinition({ description: 'Any', criteria: [answerBound] }),
    ).not.toThrow();
    const err = refusal({ description: 'Any', criteria: [{ ...answerBound, path: 'nope' }] });
    expect(err.message).toMatch(
      /"nope" is not a known value for any environment; known: .*answer\.ranges/,
    );
  });

  it('refuses duplicate ids, naming the first use', () => {
    const err = refusal(
      lander([
        { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true },
        { id: 'safe', kind: 'step_limit', maxSteps: 100 },
      ]),
    );
    expect(err.message).toBe(
      'criteria[1].id: "safe" is already the id of criteria[0]; ids must be unique',
    );
  });

  it('refuses a regex that does not compile, with the engine’s reason', () => {
    const err = refusal(lander([{ id: 're', kind: 'answer_regex', pattern: '(unclosed' }]));
    expect(err.problems[0].path).toBe('criteria[0].pattern');
    expect(err.message).toMatch(
      /^criteria\[0\]\.pattern: does not compile: Invalid regular expression/,
    );
    expect(
      refusal(lander([{ id: 're', kind: 'answer_regex', pattern: 'x', flags: 'gi' }])).message,
    ).toBe('criteria[0].flags: must be distinct flags from i, m, s, u, got "gi"');
    expect(
      refusal(lander([{ id: 're', kind: 'answer_regex', pattern: 'x'.repeat(501) }])).message,
    ).toMatch(/^criteria\[0\]\.pattern: must be a regular expression of 1 to 500 characters/);
  });

  it('refuses a regex that could backtrack without bound where V8 cannot run it in linear time', () => {
    const evil = { id: 're', kind: 'answer_regex', pattern: '^(\\w+\\s?)+$' };
    expect(refusal(lander([{ ...evil, flags: 'u' }])).message).toMatch(
      /^criteria\[0\]\.pattern: repeats a group that itself repeats or alternates/,
    );
    // Without `u`, V8's linear engine takes over a runaway match: accepted (with `i` too, which
    // the pattern is rewritten to do without).
    expect(() => parseOutcomeDefinition(lander([evil]))).not.toThrow();
    expect(() => parseOutcomeDefinition(lander([{ ...evil, flags: 'i' }]))).not.toThrow();
  });

  it('refuses a judge criterion without instructions', () => {
    expect(refusal(lander([{ id: 'judged', kind: 'judge' }])).message).toBe(
      'criteria[0].instructions: is required: instructions for the judge, 1 to 4,000 characters',
    );
    expect(refusal(lander([{ id: 'judged', kind: 'judge', instructions: '  ' }])).message).toMatch(
      /^criteria\[0\]\.instructions: must be instructions for the judge/,
    );
  });

  it('says what is allowed for kinds, ops, ids, budgets and fields, counting the other problems', () => {
    expect(refusal(lander([{ id: 'x', kind: 'vibes' }])).message).toBe(
      'criteria[0].kind: must be one of bound, answer_path, answer_regex, tool, step_limit, token_budget, label_match, judge, got "vibes"',
    );
    expect(refusal(lander([{ id: 'x' }])).message).toMatch(
      /^criteria\[0\]\.kind: must be one of bound, .*, got nothing$/,
    );
    expect(refusal(lander(['soft'])).message).toMatch(
      /^criteria\[0\]: must be a criterion object with a kind \(bound, /,
    );
    expect(refusal(lander([{ id: 'b', kind: 'token_budget' }])).message).toBe(
      'criteria[0]: needs maxTokens, maxCostUsd or both',
    );
    expect(
      refusal(
        lander([{ id: 's', kind: 'bound', path: 'flight.status', op: 'lt', value: 'landed' }]),
      ).message,
    ).toBe(
      'criteria[0].value: must be a number for op "lt" (only eq and ne compare strings and booleans), got "landed"',
    );
    expect(
      refusal(lander([{ id: 'p', kind: 'answer_path', path: 'ranges.length', op: 'eq', value: 1 }]))
        .message,
    ).toMatch(/^criteria\[0\]\.path: must be a JSON path .* got "ranges\.length"/);
    expect(refusal(lander([{ id: 'Bad Id', kind: 'step_limit', maxSteps: 5 }])).message).toMatch(
      /^criteria\[0\]\.id: must be a lower-case letter/,
    );
    const err = refusal({
      ...lander([{ id: 's', kind: 'step_limit', maxSteps: 0, colour: 'red' }]),
      passingScore: 0,
    });
    expect(err.problems).toEqual(
      expect.arrayContaining([
        { path: 'passingScore', message: 'must be a number above 0 and at most 1, got 0' },
        {
          path: 'criteria[0].maxSteps',
          message: 'must be a whole number of steps, at least 1, got 0',
        },
        expect.objectContaining({
          path: 'criteria[0].colour',
          message: expect.stringMatching(/^is not a known field; allowed fields: id, description/),
        }),
      ]),
    );
    expect(err.message).toMatch(/ \(and 2 more\)$/);
    expect(
      refusal({ ...lander([{ id: 's', kind: 'step_limit', maxSteps: 1 }]), maxIterations: 21 })
        .message,
    ).toBe('maxIterations: must be a whole number from 1 to 20, got 21');
  });

  it("takes the operator's promotion rule, and says what a family tolerance must be", () => {
    const rubric = lander([
      { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true },
    ]);
    expect(parseOutcomeDefinition(rubric).promotion).toBeUndefined();
    expect(
      parseOutcomeDefinition({ ...rubric, promotion: { familyTolerance: 0 } }).promotion,
    ).toEqual({ familyTolerance: 0 });
    expect(refusal({ ...rubric, promotion: { familyTolerance: -1 } }).message).toBe(
      'promotion.familyTolerance: must be a whole number from 0 to 1000, got -1',
    );
    expect(refusal({ ...rubric, promotion: { familyTolerance: 0.5 } }).message).toBe(
      'promotion.familyTolerance: must be a whole number from 0 to 1000, got 0.5',
    );
    expect(refusal({ ...rubric, promotion: { perFamily: true } }).message).toBe(
      'promotion.perFamily: is not a known field; allowed fields: familyTolerance, holdCriteria',
    );
    expect(refusal({ ...rubric, promotion: 'strict' }).message).toBe(
      'promotion: must be an object with the fields familyTolerance, holdCriteria, got "strict"',
    );
  });

  it('takes criteria a promotion must hold, and names an id that is no criterion', () => {
    const rubric = lander([
      { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true },
      { id: 'frugal', kind: 'bound', path: 'fuel.over_limit', op: 'lte', value: 2 },
    ]);
    expect(
      parseOutcomeDefinition({ ...rubric, promotion: { holdCriteria: ['safe'] } }).promotion,
    ).toEqual({ holdCriteria: ['safe'] });
    expect(refusal({ ...rubric, promotion: { holdCriteria: ['safe', 'Safe'] } }).message).toBe(
      'promotion.holdCriteria[1]: "Safe" is not the id of a criterion; ids: safe, frugal',
    );
    expect(refusal({ ...rubric, promotion: { holdCriteria: 'safe' } }).message).toBe(
      'promotion.holdCriteria: must be a list of criterion ids, got "safe"',
    );
  });

  it('accepts the example definitions the demo puts on its agents', () => {
    const dir = join(__dirname, '../../../../examples/outcomes');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['ci-log-triage.json', 'lunar-landing.json']));
    // Parsing refuses a bad criterion, and a held id that names none.
    for (const file of files)
      expect(() =>
        parseOutcomeDefinition(JSON.parse(readFileSync(join(dir, file), 'utf8'))),
      ).not.toThrow();
  });
});
