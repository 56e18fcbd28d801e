import { modelTriageEvents, TRIAGE_LABELS, triage } from '../test/session-fixtures';
import type { CriterionInput } from './criterion.schema';
import { gradeSession, type Grade } from './grade-session';
import { parseOutcomeDefinition } from './outcome-definition.schema';

const session = { status: 'completed' as const, environment: 'ci-log-triage' };

async function gradeTriage(
  criteria: CriterionInput[],
  options: {
    labels?: typeof TRIAGE_LABELS | null;
    events?: ReturnType<typeof modelTriageEvents>;
  } = {},
): Promise<Grade & { byId: Record<string, Grade['criteria'][number]> }> {
  const grade = await gradeSession({
    definition: parseOutcomeDefinition({
      description: 'Find the failing lines',
      environment: 'ci-log-triage',
      criteria,
    }),
    definitionVersion: 1,
    events: options.events ?? modelTriageEvents(),
    session,
    iteration: 1,
    labels: options.labels === undefined ? TRIAGE_LABELS : options.labels,
  });
  return { ...grade, byId: Object.fromEntries(grade.criteria.map((c) => [c.id, c])) };
}

describe('gradeSession of a triage answer (lines 40-44 against labels 42-46)', () => {
  it('label_match scores the metric against the labels and passes when it reaches min', async () => {
    const g = await gradeTriage([
      { id: 'f1', kind: 'label_match', metric: 'f1', min: 0.5 },
      { id: 'precise', kind: 'label_match', metric: 'precision', min: 0.8 },
    ]);
    expect(g.byId.f1).toMatchObject({ gradable: true, passed: true, score: 0.6, steps: [3] });
    expect(g.byId.f1.explanation).toBe(
      'f1 0.6 of the answer (1 range, step 3) against 1 labelled range is at least 0.5 (precision 0.6, recall 0.6, F1 0.6)',
    );
    expect(g.byId.precise).toMatchObject({ passed: false, score: 0.6 });
    expect(g.score).toBeCloseTo(0.6, 9);
    expect(g.result).toBe('needs_revision');
  });

  it('label_match without labels uses the recorded score, and is not gradable with neither', async () => {
    const recorded = await gradeTriage(
      [{ id: 'f1', kind: 'label_match', metric: 'recall', min: 0.6 }],
      { labels: null },
    );
    expect(recorded.byId.f1).toMatchObject({ gradable: true, passed: true, score: 0.6 });
    expect(recorded.byId.f1.explanation).toContain('as the triage environment recorded it');

    const bare = modelTriageEvents().slice(0, -1);
    const ungraded = await gradeTriage(
      [{ id: 'f1', kind: 'label_match', metric: 'f1', min: 0.5 }],
      { labels: null, events: bare },
    );
    expect(ungraded.byId.f1).toMatchObject({ gradable: false, passed: false });
    expect(ungraded.score).toBe(0);
    expect(ungraded.result).toBe('needs_revision'); // not required: only the score is missing
  });

  it('answer_path reads the submitted JSON, including .length and indices', async () => {
    const g = await gradeTriage([
      { id: 'few', kind: 'answer_path', path: '$.ranges.length', op: 'lte', value: 3 },
      { id: 'start', kind: 'answer_path', path: '$.ranges[0].start', op: 'gte', value: 41 },
      { id: 'second', kind: 'answer_path', path: '$.ranges[1].start', op: 'gte', value: 1 },
    ]);
    expect(g.byId.few).toMatchObject({
      passed: true,
      explanation: '$.ranges.length = 1 in the final answer (step 3) is at most 3',
    });
    expect(g.byId.start).toMatchObject({
      passed: false,
      explanation: '$.ranges[0].start = 40 in the final answer (step 3) is below 41',
    });
    expect(g.byId.second.explanation).toBe(
      '$.ranges[1].start is absent from the final answer (step 3): $.ranges has 1 item(s), no [1]',
    );
  });

  it('answer_regex matches the answer text, or must not', async () => {
    const g = await gradeTriage([
      { id: 'has-start', kind: 'answer_regex', pattern: '"START":\\d+', flags: 'i' },
      { id: 'not-44', kind: 'answer_regex', pattern: '"end":44', expect: 'no_match' },
      { id: 'not-99', kind: 'answer_regex', pattern: '"end":99', expect: 'no_match' },
    ]);
    expect(g.byId['has-start']).toMatchObject({
      passed: true,
      explanation: 'the final answer (step 3) matches /"START":\\d+/i at "\\"start\\":40"',
    });
    expect(g.byId['not-44']).toMatchObject({
      passed: false,
      explanation: 'the final answer (step 3) matches /"end":44/ at "\\"end\\":44", and must not',
    });
    expect(g.byId['not-99']).toMatchObject({
      passed: true,
      explanation: 'the final answer (step 3) does not match /"end":99/',
    });
  });

  it('tool counts tool calls (and actions) by name', async () => {
    const g = await gradeTriage([
      { id: 'submitted', kind: 'tool', tool: 'submit_answer', expect: 'called' },
      { id: 'searched', kind: 'tool', tool: 'search', expect: 'called' },
      { id: 'diffed', kind: 'tool', tool: 'diff_summary', expect: 'called' },
      { id: 'no-reading', kind: 'tool', tool: 'read_lines', expect: 'not_called' },
    ]);
    expect(g.byId.submitted).toMatchObject({
      passed: true,
      explanation: 'submit_answer was called 1 time (step 3)',
      steps: [3],
    });
    expect(g.byId.searched.explanation).toBe('search was called 2 times (step 2)');
    expect(g.byId.diffed).toMatchObject({
      passed: false,
      explanation: 'diff_summary was never called',
      steps: [],
    });
    expect(g.byId['no-reading']).toMatchObject({
      passed: false,
      explanation: 'read_lines was called 1 time (step 1) but must not be',
    });
    expect(g.failedCriteria).toEqual(['diffed', 'no-reading']);
  });

  it('step_limit compares the highest step with the limit', async () => {
    const g = await gradeTriage([
      { id: 'quick', kind: 'step_limit', maxSteps: 5 },
      { id: 'quicker', kind: 'step_limit', maxSteps: 2 },
    ]);
    expect(g.byId.quick).toMatchObject({
      passed: true,
      explanation: 'the session took 3 steps, within the limit of 5',
    });
    expect(g.byId.quicker).toMatchObject({
      passed: false,
      explanation: 'the session took 3 steps, over the limit of 2 (step 3)',
      steps: [3],
    });
  });

  it('token_budget sums model_call usage, prices it, and names the step the budget was crossed at', async () => {
    // 6,200 + 2,100 + 3,300 tokens; $0.0075 + $0.0075 (Sonnet) + $0.0045 (Haiku).
    const g = await gradeTriage([
      { id: 'roomy', kind: 'token_budget', maxTokens: 20_000, maxCostUsd: 0.05 },
      { id: 'tokens', kind: 'token_budget', maxTokens: 10_000 },
      { id: 'cost', kind: 'token_budget', maxCostUsd: 0.01 },
    ]);
    expect(g.byId.roomy).toMatchObject({
      passed: true,
      explanation:
        '3 model calls: 11,600 tokens within the budget of 20,000; $0.0195 within the budget of $0.05',
    });
    expect(g.byId.tokens).toMatchObject({
      passed: false,
      explanation: '3 model calls: 11,600 tokens over the budget of 10,000, crossed at step 3',
      steps: [3],
    });
    expect(g.byId.cost).toMatchObject({
      passed: false,
      explanation: '3 model calls: $0.0195 over the budget of $0.01, crossed at step 2',
      steps: [2],
    });
  });

  it('token_budget prices unknown models at the stated default, and builtin calls at nothing', async () => {
    const events = [
      triage.modelCall(1, 'mystery-model', 1_000_000, 0),
      triage.modelCall(2, 'builtin', 5_000_000, 5_000_000),
    ];
    const g = await gradeTriage([{ id: 'cost', kind: 'token_budget', maxCostUsd: 2.5 }], {
      events,
      labels: null,
    });
    expect(g.byId.cost).toMatchObject({
      passed: false,
      explanation:
        '2 model calls: $3 over the budget of $2.5, crossed at step 1; mystery-model priced at the default rate ($3/$15 per million input/output tokens)',
    });
  });

  it('a summary names every failed criterion with its explanation', async () => {
    const g = await gradeTriage([
      { id: 'f1', kind: 'label_match', metric: 'f1', min: 0.8, required: true },
      { id: 'submitted', kind: 'tool', tool: 'submit_answer', expect: 'called' },
    ]);
    expect(g.result).toBe('needs_revision');
    expect(g.summary).toBe(
      'Needs revision after iteration 1 of 3 (score 0.8, passing 0.8). Required criteria not met: f1. ' +
        'f1 failed: f1 0.6 of the answer (1 range, step 3) against 1 labelled range is below 0.8 (precision 0.6, recall 0.6, F1 0.6).',
    );
  });
});
