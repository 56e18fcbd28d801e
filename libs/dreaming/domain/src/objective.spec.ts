import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import { DEFAULT_GATE, gateCandidate, withPromotionRules } from './gate';
import {
  gradeRuns,
  rateInterval,
  rateIntervalText,
  resultRun,
  sandboxUngradable,
  sandboxUngradableCriteria,
  scoreSplit,
  splitValidationTest,
  type TaskGrade,
  type TaskRun,
} from './objective';

const landing = parseOutcomeDefinition({
  description: 'safe, near the site, frugal',
  environment: 'lunar-lander',
  maxIterations: 1,
  criteria: [
    { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true, required: true },
    {
      id: 'near-site',
      kind: 'bound',
      path: 'touchdown.distance_to_site',
      op: 'lte',
      value: 50,
      required: true,
    },
  ],
});

/** A landing result as the lunar-lander environment records it. */
const result = (safe: boolean, distance: number) => ({
  scenarioId: 'x',
  status: 'landed',
  safe,
  fuelUsed: 500,
  touchdown: { verdict: safe ? 'safe' : 'hazard', distanceToTarget: distance },
});

const grade = (task: string, scores: Record<string, boolean>): TaskGrade => ({
  task,
  family: task.split('-')[0],
  satisfied: Object.values(scores).every(Boolean),
  score: Object.values(scores).filter(Boolean).length / Object.keys(scores).length,
  criteria: Object.entries(scores).map(([id, passed]) => ({
    id,
    required: true,
    gradable: true,
    passed,
    score: passed ? 1 : 0,
  })),
  values: {},
});

describe('gradeRuns (the outcome definition grades sandbox runs like live sessions)', () => {
  it('satisfies a safe landing near the site, and not a safe landing 1 km away', async () => {
    const graded = await gradeRuns(landing, 'lunar-lander', [
      resultRun('near', 'f', result(true, 12)),
      resultRun('far', 'f', result(true, 1_200)),
      resultRun('crash', 'f', result(false, 3)),
    ]);
    expect(graded.map((g) => [g.task, g.satisfied])).toEqual([
      ['near', true],
      ['far', false],
      ['crash', false],
    ]);
    expect(graded[1].criteria.find((c) => c.id === 'near-site')).toMatchObject({ passed: false });
    expect(graded[1].values['touchdown.distance_to_site']).toBe(1_200);
  });

  it('summarises a split per criterion and per family, with fact medians', async () => {
    const graded = await gradeRuns(landing, 'lunar-lander', [
      resultRun('a', 'wide', result(true, 10)),
      resultRun('b', 'wide', result(true, 30)),
      resultRun('c', 'steep', result(false, 100)),
    ]);
    const s = scoreSplit('test', graded);
    expect(s).toMatchObject({ split: 'test', tasks: 3, satisfied: 2, satisfiedRate: 0.6667 });
    expect(s.criteria.map((c) => [c.id, c.passRate])).toEqual([
      ['safe', 0.6667],
      ['near-site', 0.6667],
    ]);
    expect(s.families.map((f) => [f.family, f.satisfied, f.tasks])).toEqual([
      ['steep', 0, 1],
      ['wide', 2, 2],
    ]);
    expect(s.medians.satisfied['touchdown.distance_to_site']).toBe(20);
    expect(s.medians.all['touchdown.distance_to_site']).toBe(30);
  });
});

describe('gradeRuns: what a sandbox run cannot show counts neither way', () => {
  const withSessionCriteria = parseOutcomeDefinition({
    description: 'safe, commanded, short, judged',
    environment: 'lunar-lander',
    maxIterations: 1,
    criteria: [
      { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true, required: true },
      { id: 'commanded', kind: 'tool', tool: 'command', expect: 'called', required: true },
      { id: 'short', kind: 'step_limit', maxSteps: 400 },
      { id: 'few-events', kind: 'bound', path: 'session.events', op: 'lte', value: 500 },
      { id: 'calm', kind: 'judge', instructions: 'Was the crew calm?', required: true },
    ],
  });
  const state = (g: TaskGrade) =>
    Object.fromEntries(g.criteria.map((c) => [c.id, c.gradable ? c.passed : 'not gradable']));

  it('a result-only run grades its result and leaves tool calls, steps and event counts out', async () => {
    const [safe, crash] = await gradeRuns(withSessionCriteria, 'lunar-lander', [
      resultRun('safe', 'f', result(true, 12)),
      resultRun('crash', 'f', result(false, 12)),
    ]);
    expect(state(safe)).toEqual({
      safe: true,
      commanded: 'not gradable',
      short: 'not gradable',
      'few-events': 'not gradable',
      calm: 'not gradable',
    });
    // Required criteria it cannot grade do not fail every run: the result decides.
    expect([safe.satisfied, crash.satisfied]).toEqual([true, false]);
    expect(safe.criteria.find((c) => c.id === 'commanded')?.required).toBe(true);
    const s = scoreSplit('validation', [safe, crash]);
    expect(s.criteria.find((c) => c.id === 'commanded')).toMatchObject({
      graded: 0,
      passRate: null,
    });
  });

  it('a result recorded at its step also grades the steps (a lander flight)', async () => {
    const atStep = (task: string, step: number) => resultRun(task, 'f', result(true, 12), { step });
    const [short, long] = await gradeRuns(withSessionCriteria, 'lunar-lander', [
      atStep('short', 120),
      atStep('long', 450),
    ]);
    expect(state(short)).toMatchObject({ short: true, commanded: 'not gradable' });
    expect(state(long)).toMatchObject({ short: false, 'few-events': 'not gradable' });
    expect([short.satisfied, long.satisfied]).toEqual([true, false]);
  });

  it('a run that records the session grades its tool calls and steps', async () => {
    const session = (task: string, commands: number, lastStep: number): TaskRun => ({
      ...resultRun(task, 'f', result(true, 12)),
      records: 'session',
      events: [
        ...Array.from({ length: commands }, (_, i) => ({
          clientEventId: `${task}-c${i}`,
          type: 'action' as const,
          name: 'command',
          input: {},
          step: i + 1,
        })),
        {
          clientEventId: `${task}-end`,
          type: 'observation',
          step: lastStep,
          data: { result: result(true, 12) },
        },
      ],
    });
    const [flown, idle] = await gradeRuns(withSessionCriteria, 'lunar-lander', [
      session('flown', 3, 420),
      session('idle', 0, 10),
    ]);
    expect(state(flown)).toMatchObject({ commanded: true, short: false, 'few-events': true });
    expect(state(idle)).toMatchObject({ commanded: false, short: true });
    expect([flown.satisfied, idle.satisfied]).toEqual([false, false]);
  });

  it('names what a sandbox cannot grade, by what its runs record', () => {
    expect([...sandboxUngradableCriteria(withSessionCriteria, 'result').keys()]).toEqual([
      'commanded',
      'short',
      'few-events',
      'calm',
    ]);
    expect([...sandboxUngradableCriteria(withSessionCriteria, 'result-with-steps').keys()]).toEqual(
      ['commanded', 'few-events', 'calm'],
    );
    expect([...sandboxUngradableCriteria(withSessionCriteria, 'session').keys()]).toEqual(['calm']);
    expect(sandboxUngradable(withSessionCriteria.criteria[0], 'result')).toBeNull();
  });
});

describe('gateCandidate (criterion-wise, on the validation split)', () => {
  const before = [
    grade('a-1', { safe: false, near: true }),
    grade('a-2', { safe: false, near: true }),
    grade('a-3', { safe: true, near: true }),
    grade('a-4', { safe: true, near: true }),
  ];

  it('promotes a candidate that satisfies more tasks without giving up a criterion', () => {
    const after = [grade('a-1', { safe: true, near: true }), ...before.slice(1)];
    const v = gateCandidate(before, after);
    expect(v).toMatchObject({ split: 'validation', promote: true, before: 2, after: 3 });
    expect(v.improvements).toEqual(['a-1']);
  });

  it('refuses a candidate that lands more safely by abandoning the site', () => {
    const after = [
      grade('a-1', { safe: true, near: false }),
      grade('a-2', { safe: true, near: false }),
      grade('a-3', { safe: true, near: true }),
      grade('a-4', { safe: true, near: true }),
    ];
    const v = gateCandidate(before, after);
    expect(v.promote).toBe(false);
    expect(v.reason).toMatch(/gives up near \(1 -> 0\.5\)/);
    expect(v.criteria).toContainEqual({ id: 'safe', before: 0.5, after: 1 });
  });

  it('refuses regressions beyond the allowed share, and a candidate with no gain', () => {
    const swap = [
      grade('a-1', { safe: true, near: true }),
      grade('a-2', { safe: false, near: true }),
      grade('a-3', { safe: false, near: true }),
      grade('a-4', { safe: true, near: true }),
    ];
    expect(gateCandidate(before, swap).reason).toMatch(/1 task\(s\) regress \(a-3\)/);
    expect(gateCandidate(before, before).reason).toMatch(/short of the gain/);
    expect(gateCandidate([], []).promote).toBe(false);
  });
  // Triage-like graded scores (line F1).
  const f1 = (task: string, score: number): TaskGrade => ({
    task,
    family: 'logs',
    satisfied: score >= 0.7,
    score,
    criteria: [
      { id: 'line-f1', required: true, gradable: true, passed: score >= 0.7, score },
    ] as TaskGrade['criteria'],
    values: {},
  });
  it('with a task tolerance, refuses a gain on one task bought with another task losing more', () => {
    // Every task stays satisfied and the mean rises.
    const was = [f1('log-1', 0.75), f1('log-2', 0.95), f1('log-3', 0.9)];
    const now = [f1('log-1', 1), f1('log-2', 0.88), f1('log-3', 0.9)];
    expect(gateCandidate(was, now).promote).toBe(true);
    const v = gateCandidate(was, now, { ...DEFAULT_GATE, taskScoreTolerance: 0.05 });
    expect(v.promote).toBe(false);
    expect(v.reason).toMatch(
      /log-2 \(0\.95 -> 0\.88\) loses more than the task tolerance of 0\.05/,
    );
    const small = [f1('log-1', 1), f1('log-2', 0.92), f1('log-3', 0.9)];
    expect(gateCandidate(was, small, { ...DEFAULT_GATE, taskScoreTolerance: 0.05 }).promote).toBe(
      true,
    );
  });

  it('lets a task lose beyond the tolerance when the others gain `taskScoreTrade` times the loss', () => {
    const was = [f1('log-1', 0.75), f1('log-2', 0.95), f1('log-3', 0.9)];
    // log-1 gains 0.25, log-2 loses 0.07: 3.6 times the loss.
    const now = [f1('log-1', 1), f1('log-2', 0.88), f1('log-3', 0.9)];
    const at = (ratio: number, maxTaskLoss = 0.2) =>
      gateCandidate(was, now, {
        ...DEFAULT_GATE,
        taskScoreTolerance: 0.05,
        taskScoreTrade: { ratio, maxTaskLoss },
      });
    const traded = at(3);
    expect(traded.promote).toBe(true);
    expect(traded.reason).toMatch(
      /log-2 0\.95 -> 0\.88 beyond the task tolerance, allowed as the tasks gain 0\.25 in score, at least 3x the 0\.07 lost/,
    );
    const refused = at(10);
    expect(refused.promote).toBe(false);
    expect(refused.reason).toMatch(
      /\(a trade allows up to 0\.2 when the others gain 10x the score lost\)/,
    );
    // No trade pays for a task that falls beyond the trade's own limit.
    expect(at(3, 0.06).promote).toBe(false);
  });
});

describe('gateCandidate: trading regressions for a larger gain, and leaner flights', () => {
  const ok = { safe: true, near: true };
  const crash = { safe: false, near: true };
  // Ten tasks, one satisfied before.
  const before = Array.from({ length: 10 }, (_, i) => grade(`b-${i}`, i === 0 ? ok : crash));
  /** The candidate: satisfies `won` of the nine failing tasks and loses task b-0. */
  const losingOne = (won: number) =>
    before.map((g, i) => grade(g.task, i === 0 ? crash : i <= won ? ok : crash));

  it('lets a candidate lose a task only when its net gain is at least K times what it loses', () => {
    const trade = { ...DEFAULT_GATE, regressionTrade: 3 };
    expect(gateCandidate(before, losingOne(4)).promote).toBe(false);
    const v = gateCandidate(before, losingOne(4), trade);
    expect(v).toMatchObject({ promote: true, before: 1, after: 4, regressions: ['b-0'] });
    expect(v.reason).toMatch(/allowed as the net gain of 3 is at least 3x that/);
    const short = gateCandidate(before, losingOne(3), trade);
    expect(short.promote).toBe(false);
    expect(short.reason).toMatch(/net gain of 2 is short of 3x the 1 lost/);
  });

  it('still refuses a traded candidate that gives up a criterion beyond the tolerance', () => {
    const far = losingOne(6).map((g, i) =>
      i === 0 ? grade(g.task, { safe: true, near: false }) : g,
    );
    const v = gateCandidate(before, far, { ...DEFAULT_GATE, regressionTrade: 3 });
    expect(v.promote).toBe(false);
    expect(v.reason).toMatch(/gives up near \(1 -> 0\.9\)/);
  });

  it('with a criterion trade, lets a criterion fall on a task only for K times the net gain', () => {
    const far = { safe: true, near: false };
    // Ten tasks safe but far, none satisfied; the candidate lands `won` near and crashes one.
    const was = Array.from({ length: 10 }, (_, i) => grade(`c-${i}`, far));
    const crashing = (won: number) =>
      was.map((g, i) => grade(g.task, i === 9 ? { safe: false, near: false } : i < won ? ok : far));
    const strict = gateCandidate(was, crashing(3), DEFAULT_GATE);
    expect(strict.promote).toBe(false);
    expect(strict.reason).toMatch(/gives up safe \(1 -> 0\.9\) beyond the tolerance of 0\.02$/);
    const trade = { ...DEFAULT_GATE, criterionTrade: 3 };
    const v = gateCandidate(was, crashing(3), trade);
    expect(v.promote).toBe(true);
    expect(v.reason).toMatch(/safe 1 -> 0\.9 on 1 task\(s\) \(c-9\), allowed as the net gain of 3/);
    const short = gateCandidate(was, crashing(2), trade);
    expect(short.promote).toBe(false);
    expect(short.reason).toMatch(/net gain of 2 is short of 3x the 1 task\(s\) that gave it up/);
    // The operator's definition holding `safe`: no gain pays for a crash, `near` may still trade.
    const held = withPromotionRules(trade, { promotion: { holdCriteria: ['safe'] } });
    const refused = gateCandidate(was, crashing(9), held);
    expect(refused.promote).toBe(false);
    expect(refused.reason).toMatch(
      /gives up safe \(1 -> 0\.9\), which the outcome definition holds \(promotion\.holdCriteria\): a held criterion may not fall, whatever the gain$/,
    );
    const nearHeld = withPromotionRules(trade, { promotion: { holdCriteria: ['near'] } });
    expect(gateCandidate(was, crashing(3), nearHeld).promote).toBe(true);
    // Held, a criterion may not fall at all: one crash in 60, within the 0.02 tolerance, refuses.
    const many = Array.from({ length: 60 }, (_, i) => grade(`m-${i}`, far));
    const oneCrash = many.map((g, i) =>
      grade(g.task, i === 59 ? { safe: false, near: false } : i < 10 ? ok : far),
    );
    expect(gateCandidate(many, oneCrash, trade).promote).toBe(true);
    expect(gateCandidate(many, oneCrash, held).reason).toMatch(
      /gives up safe \(1 -> 0\.9833\), which the outcome definition holds/,
    );
    // Two tasks giving safe up need six more satisfied.
    const two = crashing(5).map((g, i) => (i === 8 ? grade(g.task, crash) : g));
    expect(gateCandidate(was, two, trade).promote).toBe(false);
    const six = crashing(6).map((g, i) => (i === 8 ? grade(g.task, crash) : g));
    expect(gateCandidate(was, six, trade).promote).toBe(true);
  });

  it('with fact gains, promotes as many satisfied at a lower median of a lower-is-better fact', () => {
    const fuel = (task: string, x: number): TaskGrade => ({
      ...grade(task, ok),
      values: { 'fuel.over_limit': x },
    });
    const was = [fuel('f-1', 1.5), fuel('f-2', 1.6), fuel('f-3', 1.7)];
    const leaner = [fuel('f-1', 1.2), fuel('f-2', 1.3), fuel('f-3', 1.9)];
    const barely = [fuel('f-1', 1.5), fuel('f-2', 1.59), fuel('f-3', 1.7)];
    const gains = { ...DEFAULT_GATE, factGains: { 'fuel.over_limit': 0.02 } };
    expect(gateCandidate(was, leaner).promote).toBe(false);
    const v = gateCandidate(was, leaner, gains);
    expect(v.promote).toBe(true);
    expect(v.reason).toMatch(/median fuel\.over_limit 1\.6 -> 1\.3/);
    expect(gateCandidate(was, barely, gains).reason).toMatch(/median fuel\.over_limit 2% lower/);
  });
});

describe('gateCandidate: one task traded for another by a leaner candidate (efficiencySwaps)', () => {
  const ok = { safe: true, near: true };
  const far = { safe: true, near: false };
  const fuel = (task: string, scores: Record<string, boolean>, x: number): TaskGrade => ({
    ...grade(task, scores),
    values: scores.near ? { 'fuel.over_limit': x } : {},
  });
  // Ten tasks: nine satisfied at 1.7x the limit, e-9 landed far from the site.
  const before = Array.from({ length: 10 }, (_, i) => fuel(`e-${i}`, i === 9 ? far : ok, 1.7));
  /** The candidate at `x`: loses e-0 (far), newly satisfies e-9 if `swap`. */
  const trading = (x: number, swap = true) =>
    before.map((g, i) => fuel(g.task, i === 0 ? far : i === 9 ? (swap ? ok : far) : ok, x));
  const gate = {
    ...DEFAULT_GATE,
    maxRegressionShare: 0.02,
    regressionTrade: 3,
    factGains: { 'fuel.over_limit': 0.02 },
  };
  const swaps = { ...gate, efficiencySwaps: { tasks: 1, leaner: 0.05 } };
  /** The reflector's training flights: 80 of 100 satisfied with the current rules, 85 with it. */
  const evidence = { before: 80, after: 85, tasks: 100 };

  it('promotes a leaner candidate whose one lost task is made up by another', () => {
    const strict = gateCandidate(before, trading(1.1), gate);
    expect(strict.promote).toBe(false);
    expect(strict.reason).toMatch(/1 task\(s\) regress \(e-0\), more than the 0 allowed/);
    const v = gateCandidate(before, trading(1.1), swaps, evidence);
    expect(v).toMatchObject({ promote: true, before: 9, after: 9, regressions: ['e-0'] });
    expect(v.reason).toMatch(
      /median fuel\.over_limit 1\.7 -> 1\.1; .*1 task\(s\) regress \(e-0\), allowed: as many others are newly satisfied \(e-9\), it is leaner, and its training flights satisfy no fewer/,
    );
  });

  it('refuses the swap when the candidate is not leaner, satisfies fewer, or loses more than allowed', () => {
    // Without training evidence, or with evidence of fewer training tasks satisfied.
    for (const train of [undefined, { before: 80, after: 79, tasks: 100 }])
      expect(gateCandidate(before, trading(1.1), swaps, train).reason).toMatch(
        /refused: 1 task\(s\) regress \(e-0\), more than the 0 allowed .*; a swap of at most 1 needs as many satisfied, median fuel\.over_limit 5% lower and no fewer training tasks satisfied$/,
      );
    // 2 % leaner counts as a gain (factGains) but is not the clearly leaner a swap needs.
    expect(gateCandidate(before, trading(1.65), swaps, evidence).reason).toMatch(
      /refused: 1 task\(s\) regress \(e-0\), more than the 0 allowed/,
    );
    expect(gateCandidate(before, trading(1.7), swaps, evidence).reason).toMatch(
      /refused: 1 task\(s\) regress \(e-0\), more than the 0 allowed/,
    );
    // Lost without a task made up: one fewer satisfied (the criterion rule speaks first).
    expect(gateCandidate(before, trading(1.1, false), swaps, evidence).reason).toMatch(
      /9 -> 8 of 10 .*refused: gives up near \(0\.9 -> 0\.8\)/,
    );
    // Two lost, two made up: beyond one swap.
    const two = [...before, fuel('e-10', far, 1.7)];
    const twoSwapped = two.map((g, i) => fuel(g.task, i <= 1 ? far : ok, 1.1));
    const v = gateCandidate(two, twoSwapped, swaps, evidence);
    expect(v).toMatchObject({ promote: false, regressions: ['e-0', 'e-1'] });
    expect(v.reason).toMatch(/refused: 2 task\(s\) regress \(e-0, e-1\), more than the 0 allowed/);
  });
});

describe('gateCandidate: a validation split already satisfied in full (saturatedTrainGain)', () => {
  const ok = { safe: true, near: true };
  const all = Array.from({ length: 5 }, (_, i) => grade(`s-${i}`, ok));
  const rule = { ...DEFAULT_GATE, saturatedTrainGain: { minTasks: 2, minShare: 0.03 } };
  /** Training evidence of 100 tasks: 90 satisfied with the current rules, `after` with the candidate. */
  const train = (after: number) => ({ before: 90, after, tasks: 100 });

  it('promotes on training evidence only when every validation task stays satisfied', () => {
    expect(gateCandidate(all, all, DEFAULT_GATE, train(95)).promote).toBe(false);
    const v = gateCandidate(all, all, rule, train(95));
    expect(v).toMatchObject({ promote: true, before: 5, after: 5, regressions: [] });
    expect(v.reason).toMatch(
      /validation saturated \(5 of 5 before and after\), training 90 -> 95 of 100 satisfied/,
    );
    // One validation task lost: the regression rule refuses, whatever training says.
    const lost = all.map((g, i) => (i === 0 ? grade(g.task, { safe: false, near: true }) : g));
    expect(gateCandidate(all, lost, rule, train(100)).promote).toBe(false);
  });

  it('needs max(minTasks, minShare of the training tasks) more, and the evidence itself', () => {
    // 3 % of 100 is 3: two more satisfied fall short.
    const short = gateCandidate(all, all, rule, train(92));
    expect(short.promote).toBe(false);
    expect(short.reason).toMatch(
      /at least 2 more training tasks satisfied \(3% of them where that is more\)/,
    );
    expect(gateCandidate(all, all, rule, train(93)).promote).toBe(true);
    // With 20 training tasks the floor of 2 applies (3 % is 0.6).
    expect(gateCandidate(all, all, rule, { before: 17, after: 18, tasks: 20 }).promote).toBe(false);
    expect(gateCandidate(all, all, rule, { before: 17, after: 19, tasks: 20 }).promote).toBe(true);
    expect(gateCandidate(all, all, rule).promote).toBe(false);
  });

  it('does not apply while validation still has a task to win', () => {
    const notAll = all.map((g, i) => (i === 0 ? grade(g.task, { safe: false, near: true }) : g));
    expect(gateCandidate(notAll, notAll, rule, train(100)).promote).toBe(false);
  });
});

describe("gateCandidate: the operator's family tolerance", () => {
  const ok = { safe: true, near: true };
  const crash = { safe: false, near: true };
  // Family a: ten tasks, none satisfied; family z: two, both satisfied.
  const before = [
    ...Array.from({ length: 10 }, (_, i) => grade(`a-${i}`, crash)),
    grade('z-0', ok),
    grade('z-1', ok),
  ];
  /** The candidate: every task of family a satisfied, `zLost` of family z no longer. */
  const after = (zLost: number) =>
    before.map((g, i) => grade(g.task, i < 10 ? ok : i - 10 < zLost ? crash : ok));
  const traded = { ...DEFAULT_GATE, regressionTrade: 3, criterionTrade: 3 };

  it("refuses gains on one family paid for with another family's tasks beyond the tolerance", () => {
    // Without a family tolerance the trade allows it: a net gain of 8 is at least 3x the 2 lost.
    expect(gateCandidate(before, after(2), traded).promote).toBe(true);
    const strict = gateCandidate(before, after(2), { ...traded, familyTolerance: 1 });
    expect(strict.promote).toBe(false);
    expect(strict.reason).toMatch(
      /refused: family z 2 -> 0 of 2 satisfied, more than the family tolerance of 1$/,
    );
    expect(gateCandidate(before, after(1), { ...traded, familyTolerance: 1 }).promote).toBe(true);
    expect(gateCandidate(before, after(1), { ...traded, familyTolerance: 0 }).promote).toBe(false);
  });

  it("takes the tolerance from the outcome definition's promotion rules, and nothing without", () => {
    expect(withPromotionRules(traded, {})).toBe(traded);
    expect(withPromotionRules(traded, { promotion: {} })).toBe(traded);
    const gate = withPromotionRules(traded, { promotion: { familyTolerance: 0 } });
    expect(gate).toEqual({ ...traded, familyTolerance: 0 });
    expect(withPromotionRules(traded, { promotion: { holdCriteria: [] } })).toBe(traded);
    expect(withPromotionRules(traded, { promotion: { holdCriteria: ['safe'] } })).toEqual({
      ...traded,
      holdCriteria: ['safe'],
    });
    expect(gateCandidate(before, after(1), gate).reason).toMatch(/family z 2 -> 1 of 2/);
  });
});

describe('splitValidationTest', () => {
  it('splits by id alone: stable as items are added, disjoint, about half each', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ id: `case-${i}` }));
    const all = splitValidationTest(items, 'salt');
    const some = splitValidationTest(items.slice(0, 50), 'salt');
    const inVal = new Set(all.validation.map((x) => x.id));
    for (const x of some.validation) expect(inVal.has(x.id)).toBe(true);
    for (const x of some.test) expect(inVal.has(x.id)).toBe(false);
    expect(all.validation.length).toBeGreaterThan(70);
    expect(all.test.length).toBeGreaterThan(70);
    expect(all.validation.length + all.test.length).toBe(200);
  });

  it('splits each family of sequential ids about evenly, like fair coins (not all one way)', () => {
    for (const salt of ['salt', 'reverie/lunar-lander', 'reverie/ci-log-triage']) {
      const counts = Array.from({ length: 50 }, (_, f) => {
        const family = Array.from({ length: 20 }, (_, i) => ({ id: `family${f}-${i}` }));
        return splitValidationTest(family, salt).validation.length;
      });
      const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
      const sd = Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length);
      // Fair coins: mean 10, spread 2.2. The FNV-1a hash gave a spread of 7 and families of 0 / 20.
      expect({ salt, low: Math.min(...counts) >= 3, high: Math.max(...counts) <= 17 }).toEqual({
        salt,
        low: true,
        high: true,
      });
      expect(sd).toBeLessThan(3.5);
      expect(Math.abs(mean - 10)).toBeLessThan(1.5);
    }
  });
});

describe('rateInterval', () => {
  it('gives the 95 % Wilson interval, inside [0, 1], narrowing with more tasks', () => {
    const [lo, hi] = rateInterval(16, 19);
    expect(lo).toBeCloseTo(0.624, 3);
    expect(hi).toBeCloseTo(0.945, 3);
    expect(rateInterval(0, 5)[0]).toBe(0);
    expect(rateInterval(5, 5)[1]).toBe(1);
    expect(rateInterval(0, 0)).toEqual([0, 1]);
    const wide = rateInterval(8, 10);
    const narrow = rateInterval(800, 1000);
    expect(narrow[1] - narrow[0]).toBeLessThan((wide[1] - wide[0]) / 5);
    expect(rateIntervalText(16, 19)).toBe('62–94');
  });
});
