import { extractBuiltin, extractWithLineRules } from './builtin-extractor';
import type { TriageRule } from './triage-rule.schema';

// A small Maven-like failing build; line numbers in the comments.
const failLines = [
  '[INFO] Scanning for projects...', // 1
  '[ERROR] Some deprecated warning', // 2 (also in pass.log)
  '[INFO] Compiling 3 source files', // 3
  'Downloading foo.jar', // 4
  '[ERROR] Foo.java:[3,1] cannot find symbol', // 5
  '  symbol: class Bar', // 6
  '[ERROR] Foo.java:[9,1] cannot find symbol', // 7
  '[INFO] ------', // 8
  '[INFO] Total time: 3 s', // 9
  '[INFO] BUILD FAILURE', // 10
  'java.lang.IllegalStateException: boom', // 11
  '\tat a.b.C.m(C.java:12)', // 12
  '\tat a.b.C.n(C.java:13)', // 13
  '', // 14
  'Finished', // 15
];
const passLines = [
  '[INFO] Scanning for projects...',
  '[ERROR] Some deprecated warning',
  '[INFO] BUILD SUCCESS',
];
const input = { failLines, passLines };
const rule = (r: Partial<TriageRule> & Pick<TriageRule, 'then'>): TriageRule => ({
  id: 'r',
  when: {},
  ...r,
});

const r = (start: number, end = start) => ({ start, end });
// The marker heuristic (`select: 'markers'`): what the rule tests below start from, and what the
// default selects with no passing run to diff against.
const MARKERS = { select: 'markers' } as const;

describe('the day-one heuristic', () => {
  it('takes the lines whose shape pass.log lacks, but status lines, by default', () => {
    const { answer, steps } = extractBuiltin(input);
    // Line 9 (`Total time: 3 s`) has no line of its shape in this pass.log; 10 is a status line.
    expect(answer).toEqual([r(3, 9), r(11, 13), r(15)]);
    expect(steps).toEqual([
      {
        kind: 'heuristic',
        newLines: 11,
        candidates: 5,
        droppedInPassLog: 0,
        droppedByCap: 0,
        stepTail: 0,
        ranges: answer,
      },
    ]);
    // The same shape once numbers and ids are masked is not new: another run's timings, a pod's
    // name, a column's width.
    const rerun = {
      failLines: ['Total time:  12.7 s', 'pod ci-main-812-bv683-a679t ready', 'boom'],
      passLines: ['Total time: 3 s', 'pod ci-main-811-k2x9q-7f3c1 ready'],
    };
    expect(extractBuiltin(rerun).answer).toEqual([r(3)]);
    // A fresh error run's lines are new even when the passing run printed one (Maven's `[ERROR]`
    // boilerplate around a new error).
    const boilerplate = {
      failLines: ['[INFO] x', '[ERROR] Failed to execute goal: boom', '[ERROR] -> [Help 1]'],
      passLines: ['[INFO] x', '[ERROR] -> [Help 1]'],
    };
    expect(extractBuiltin(boilerplate).answer).toEqual([r(2, 3)]);
  });

  it('drops the new lines of a stretch that says nothing went wrong, when another stretch says so', () => {
    const passLines = ['Run tests', 'Done', 'Run tests'];
    const news = {
      passLines,
      failLines: [
        'Merge 9f3e2a1 into main', // 1: new, a commit message
        'Fix the rounding of totals', // 2
        'Run tests',
        'Done',
        'natural cubic: Test Failed at interp.jl:47', // 5: a word of trouble
        '  Evaluated: 6.24 == 6.25', // 6: in the same stretch
        'Done',
        'Run tests',
      ],
    };
    const { answer, steps } = extractBuiltin(news);
    expect(answer).toEqual([r(5, 6)]);
    expect(steps[0]).toMatchObject({ newLines: 2 });
    // With no stretch that says so, every new line is the answer, as before.
    const quiet = { passLines, failLines: news.failLines.slice(0, 4) };
    expect(extractBuiltin(quiet).answer).toEqual([r(1, 2)]);
  });

  it("drops a progress counter's lines but its last (five or more of one shape with a count), not a list of failures", () => {
    const passLines = ['Run tests', 'Executed 1 of 9 SUCCESS', 'Done'];
    const executed = (n: number) => `Chrome: Executed ${n} of 9 (1 FAILED) (0.${n} secs)`;
    const counter = {
      passLines,
      failLines: [
        'Run tests',
        executed(1),
        'FAILED InvoiceList should render one row', // 3
        '  Expected 3 to equal 4.', // 4
        ...[2, 3, 4, 5, 6, 7, 8, 9].map(executed), // 5-12
        'Done',
      ],
    };
    // The counter's last line stays: where it ended (a retry loop's last attempt).
    expect(extractBuiltin(counter).answer).toEqual([r(2, 4), r(12)]);
    // Five failed cases of one shape, no count among them: a list, kept.
    const cases = [1, 2, 3, 4, 5].map((n) => `FAILED test_add[${n}-${n}] - assert ${n} == 0`);
    expect(
      extractBuiltin({ passLines, failLines: ['Run tests', ...cases, 'Done'] }).answer,
    ).toEqual([r(2, 6)]);
  });

  it('drops the lines of checks that passed: those that say so, and those naming such a check', () => {
    const passLines = ['Run tests', 'bazel test //src/core:ring_test', 'Done'];
    const failLines = [
      'Run tests',
      'bazel test //src/core:ring_test',
      '[ RUN      ] Ring.PushPop', // 3: names a check that passed
      '[       OK ] Ring.PushPop (0 ms)', // 4: says it passed
      '[ RUN      ] Ring.Wrap', // 5
      'ring_test.cc:88: Failure', // 6
      'Expected equality of these values:', // 7
      '[  FAILED  ] Ring.Wrap (0 ms)', // 8
      'ok 2 - parses numbers', // 9: passed
      'not ok 3 - parses dates', // 10: did not
      '    ↳  94% — ✓ 773 / ✗ 41', // 11: a failure mark beside the success
      '',
      'Done',
    ];
    expect(extractBuiltin({ passLines, failLines }).answer).toEqual([r(5, 8), r(10, 11)]);
    // With no check that passed, the same lines as before.
    const failedOnly = failLines.filter((_, i) => ![2, 3, 8].includes(i));
    expect(extractBuiltin({ passLines, failLines: failedOnly }).answer).toEqual([r(3, 8)]);
  });

  it('keeps a failed check written in the same file as passed ones (a file names no check)', () => {
    const passLines = ['cucumber-js', '2 scenarios (2 passed)', 'Done'];
    const failLines = [
      'cucumber-js',
      '  ✔ Given a cart with 2 items # features/steps/cart.js:5', // 2: passed
      '  ✖ When I apply the coupon # features/steps/cart.js:12', // 3: the failed step
      '      AssertionError: expected 18 to equal 20', // 4
      '  - Then the total is 20 # features/steps/cart.js:20', // 5
      'Done',
    ];
    expect(extractBuiltin({ passLines, failLines }).answer).toEqual([r(3, 5)]);
  });

  it('drops a heading between two rules, not a bare rule inside an error', () => {
    const passLines = ['pytest -q', '48 passed in 3.1s', 'Done'];
    const failLines = [
      'pytest -q',
      '==================== FAILURES ====================', // 2: a heading
      '____________ test_total ____________', // 3: a heading
      '>       assert total(2) == 5', // 4
      'E       AssertionError: assert 4 == 5', // 5
      '--------------------', // 6: a bare rule, kept where it falls
      'tests/test_cart.py:12: AssertionError', // 7
      '========= 1 failed, 47 passed in 3.3s =========', // 8: a heading
      'Done',
    ];
    expect(extractBuiltin({ passLines, failLines }).answer).toEqual([r(4, 7)]);
  });

  it("drops Gradle's headings, its advice (`* Try:` to the next blank line or heading) and its task totals", () => {
    const passLines = [
      'Starting a Gradle Daemon',
      '> Task :compileKotlin',
      'BUILD SUCCESSFUL in 9s',
    ];
    const failLines = [
      'Starting a Gradle Daemon',
      'e: Notes.kt:42:37 Unresolved reference: findAll', // 2
      '',
      'FAILURE: Build failed with an exception.',
      '',
      '* What went wrong:',
      "Execution failed for task ':compileKotlin'.", // 7
      '> Compilation error. See log for more details', // 8
      '',
      '* Try:', // 10
      '> Run with --stacktrace option to get the stack trace.',
      '> Get more help at https://help.gradle.org.', // 12
      '',
      'BUILD FAILED in 4s',
      '5 actionable tasks: 5 executed',
      '* Get more help at https://help.gradle.org',
    ];
    expect(extractBuiltin({ passLines, failLines }).answer).toEqual([r(2), r(7, 8)]);
  });

  it('drops the warnings a tool printed beside its errors, with their excerpts; alone, warnings stay', () => {
    const passLines = ['javadoc @options', 'Done'];
    const failLines = [
      'javadoc @options',
      'src/Io.java:41: warning: no comment', // 2
      '    public static final int SIZE = 8192;', // 3
      '                            ^', // 4
      'src/Slug.java:41: error: unknown tag: implNote', // 5
      '     * @implNote Uses NFKD.', // 6
      '       ^', // 7
      'src/Time.java:103: warning: no comment', // 8
      '1 error',
      'Done',
    ];
    expect(extractBuiltin({ passLines, failLines }).answer).toEqual([r(5, 7), r(9)]);
    // No error among them: the warnings are what there is.
    const warningsOnly = failLines.filter((_, i) => ![4, 5, 6, 8].includes(i));
    expect(extractBuiltin({ passLines, failLines: warningsOnly }).answer).toEqual([r(2, 5)]);
  });

  it("drops a runner's totals (two or more counts of checks by outcome), not a failure that counts", () => {
    const passLines = ['npx jest', 'Tests:       41 passed, 41 total', 'Done'];
    const failLines = [
      'npx jest',
      '  ● price › rounds half up', // 2
      '    Expected: "10.35"', // 3
      '    Received: "10.34"', // 4
      'Test Suites: 1 failed, 2 passed, 3 total', // 5: totals
      'Tests:       1 failed, 40 passed, 41 total', // 6: totals
      'Error: expected 3 tests to run, got 2 tests', // 7: an assertion's counts, a failure
      'Done',
    ];
    expect(extractBuiltin({ passLines, failLines }).answer).toEqual([r(2, 4), r(7)]);
  });

  it('selects by markers with no passing run to diff against, or nothing new but status lines', () => {
    const noPass = { failLines, passLines: [] };
    expect(extractBuiltin(noPass).answer).toEqual(extractBuiltin(noPass, [], MARKERS).answer);
    expect(extractBuiltin(noPass).steps[0]).toMatchObject({ newLines: 0, candidates: 5 });
    const statusOnly = {
      failLines: ['[INFO] Scanning for projects...', '[INFO] BUILD FAILURE'],
      passLines,
    };
    expect(extractBuiltin(statusOnly).answer).toEqual([r(2)]);
  });

  it('takes marker lines not in pass.log and bridges one-line gaps', () => {
    const { answer, steps } = extractBuiltin(input, [], MARKERS);
    expect(answer).toEqual([r(5, 7), r(10, 11)]);
    expect(steps).toEqual([
      {
        kind: 'heuristic',
        newLines: 0,
        candidates: 5,
        droppedInPassLog: 1,
        droppedByCap: 0,
        stepTail: 0,
        ranges: answer,
      },
    ]);
  });

  it('keeps pass.log lines when told not to diff, and merges nothing with gap 0', () => {
    const { answer } = extractBuiltin(input, [], {
      ...MARKERS,
      ignoreLinesInPassLog: false,
      mergeGap: 0,
    });
    expect(answer).toEqual([r(2), r(5), r(7), r(10, 11)]);
  });

  it('keeps the last candidates when capped', () => {
    const { answer, steps } = extractBuiltin(input, [], { ...MARKERS, maxLines: 2 });
    expect(answer).toEqual([r(10, 11)]);
    expect(steps[0]).toMatchObject({ droppedByCap: 2 });
  });

  it('reads through ANSI colours, and answers nothing for a log with nothing new', () => {
    const coloured = { failLines: ['ok', '[\u001b[1;31mERROR\u001b[m] x'], passLines: [] };
    expect(extractBuiltin(coloured).answer).toEqual([r(2)]);
    const same = { failLines: ['all', 'fine 12 s', ''], passLines: ['all', 'fine 9 s'] };
    expect(extractBuiltin(same).answer).toEqual([]);
  });

  it("markers: with no new marker line, answers the failed step's last new lines before its status line", () => {
    const bundler = {
      failLines: [
        '$ bundle install', // 1
        'Fetching gem metadata from https://rubygems.org/.........', // 2
        'Resolving dependencies...', // 3
        'Could not find compatible versions', // 4
        '', // 5
        'Because sidekiq >= 7.3.0 depends on redis-client >= 0.22.2', // 6
        '  and Gemfile depends on redis-client = 0.19.1,', // 7
        '  version solving has failed.', // 8
        '', // 9
        'Exited with code exit status 6', // 10
        'Uploading artifacts', // 11
        'No artifact files found at log/test.log', // 12
      ],
      passLines: [
        '$ bundle install',
        'Fetching gem metadata from https://rubygems.org/....',
        'Resolving dependencies...',
        'Bundle complete! 41 Gemfile dependencies, 96 gems now installed.',
        'Uploading artifacts',
      ],
    };
    const { answer, steps } = extractBuiltin(bundler, [], MARKERS);
    expect(answer).toEqual([r(4, 8)]);
    expect(steps[0]).toMatchObject({ kind: 'heuristic', candidates: 0, stepTail: 4 });
    // Capped at the lines nearest the status line; off at 0.
    expect(extractBuiltin(bundler, [], { ...MARKERS, stepTailLines: 2 }).answer).toEqual([r(7, 8)]);
    expect(extractBuiltin(bundler, [], { ...MARKERS, stepTailLines: 0 }).answer).toEqual([]);
    // No status line (a CI system that prints no exit code): the last new lines before the log's
    // end, over the lines of the passing run's shapes after them (its post-job steps).
    const noStatus = [...bundler.failLines.slice(0, 9), 'Uploading artifacts', ''];
    const { answer: fromEnd, steps: endSteps } = extractBuiltin(
      { ...bundler, failLines: noStatus },
      [],
      MARKERS,
    );
    expect(fromEnd).toEqual([r(4, 8)]);
    expect(endSteps[0]).toMatchObject({ candidates: 0, stepTail: 4 });
    // Nothing new before the status line nor anywhere else: nothing.
    expect(
      extractBuiltin(
        {
          failLines: ['Resolving dependencies...', 'exit code 1'],
          passLines: bundler.passLines,
        },
        [],
        MARKERS,
      ).answer,
    ).toEqual([]);
    // Nothing new before the status line, new lines elsewhere: the last of them.
    expect(
      extractBuiltin(
        {
          failLines: [
            'Resolving dependencies...',
            'gem not found',
            'Resolving dependencies...',
            'exit code 1',
          ],
          passLines: bundler.passLines,
        },
        [],
        MARKERS,
      ).answer,
    ).toEqual([r(2)]);
    // A fresh marker line anywhere: the markers answer, not the tail.
    const withMarker = { ...bundler, failLines: ['ERROR: x', ...bundler.failLines] };
    expect(extractBuiltin(withMarker, [], MARKERS).answer).toEqual([r(1)]);
    // Fresh status lines only (a CI system's own `ERROR: script returned exit code 1` after the
    // step's): they stay, and the tail is taken too.
    const jenkins = {
      ...bundler,
      failLines: [...bundler.failLines, 'ERROR: script returned exit code 1', 'Finished: FAILURE'],
    };
    const wrapped = extractBuiltin(jenkins, [], MARKERS);
    expect(wrapped.answer).toEqual([r(4, 8), r(13, 14)]);
    expect(wrapped.steps[0]).toMatchObject({ candidates: 2, stepTail: 4 });
  });

  it('rejects an invalid marker or rule before doing anything', () => {
    expect(() => extractBuiltin(input, [], { markers: ['('] })).toThrow(/marker is not a valid/);
    expect(() =>
      extractBuiltin(input, [rule({ when: { lineMatches: '[' }, then: { action: 'include' } })]),
    ).toThrow(/rule "r" \(rules\[0\]\): when.lineMatches is not a valid regular expression/);
  });
});

describe('playbook rules, applied after the heuristic', () => {
  const run = (...rules: TriageRule[]) => extractBuiltin(input, rules, MARKERS);

  it('include adds matching lines (here one the heuristic already bridged: no change)', () => {
    const { answer, steps } = run(
      rule({ when: { lineMatches: '^\\s+symbol:' }, then: { action: 'include' } }),
    );
    expect(answer).toEqual([r(5, 7), r(10, 11)]);
    expect(steps[1]).toEqual({
      kind: 'rule',
      ruleId: 'r',
      action: 'include',
      matched: 1,
      added: [],
      removed: [],
    });
    expect(
      run(rule({ when: { lineMatches: '^Finished' }, then: { action: 'include' } })).answer,
    ).toEqual([r(5, 7), r(10, 11), r(15)]);
  });

  it('exclude removes matching lines and reports them', () => {
    const { answer, steps } = run(
      rule({ when: { lineMatches: 'BUILD FAILURE' }, then: { action: 'exclude' } }),
    );
    expect(answer).toEqual([r(5, 7), r(11)]);
    expect(steps[1]).toMatchObject({ matched: 1, removed: [r(10)], added: [] });
  });

  it('an exclude that would empty the answer leaves it, and one that would not still applies', () => {
    const gitInput = {
      failLines: [
        'Fetching the repository',
        "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
        "The process '/usr/bin/git' failed with exit code 128",
      ],
      passLines: ['Fetching the repository'],
    };
    const lone = rule({
      when: { selected: true, runLength: { max: 1 } },
      then: { action: 'exclude' },
    });
    const kept = extractBuiltin(gitInput, [lone]);
    expect(kept.answer).toEqual([r(2)]);
    expect(kept.steps[1]).toMatchObject({ matched: 1, removed: [], added: [] });
    // On the Maven-like log a whole-answer exclude leaves the answer, alone or after an exclude
    // that removed part of it; an exclude that leaves something still removes (see above).
    const all = rule({ id: 'all', when: { selected: true }, then: { action: 'exclude' } });
    const alone = run(all);
    expect(alone.answer).toEqual([r(5, 7), r(10, 11)]);
    expect(alone.steps[1]).toMatchObject({ matched: 5, removed: [] });
    const summary = rule({ when: { lineMatches: 'BUILD FAILURE' }, then: { action: 'exclude' } });
    expect(run(summary, all).answer).toEqual([r(5, 7), r(11)]);
  });

  it('an exclude that would leave only status and blank lines leaves the answer (they never say why)', () => {
    const jenkins = {
      failLines: [
        'Running tests',
        'Failed asserting that 34.5 is identical to 30.0.',
        '',
        'Tests: 12, Assertions: 30, Failures: 1.',
        'ERROR: script returned exit code 1',
        'Finished: FAILURE',
      ],
      passLines: ['Running tests', 'Finished: SUCCESS'],
    };
    const lone = rule({
      when: { selected: true, runLength: { max: 1 } },
      then: { action: 'exclude' },
    });
    const status = rule({
      id: 'status',
      when: { selected: true, isStatusLine: true },
      then: { action: 'exclude' },
    });
    const kept = extractBuiltin(jenkins, [lone], MARKERS);
    expect(kept.answer).toEqual([r(2), r(5, 6)]);
    expect(kept.steps[1]).toMatchObject({ matched: 1, removed: [] });
    // The status lines themselves may go: what is left says why.
    expect(extractBuiltin(jenkins, [lone, status], MARKERS).answer).toEqual([r(2)]);
    // A blank line the heuristic merged into the answer (GitLab's section end, once normalised)
    // says nothing either.
    const gitlab = {
      failLines: [
        'Error: UPGRADE FAILED: cannot patch "checkout" with kind Deployment',
        'section_end:1716000300:step_script',
        'ERROR: Job failed: exit code 1',
      ],
      passLines: [],
    };
    const errorWord = rule({
      id: 'error-word',
      when: { selected: true, lineMatches: '^Error:' },
      then: { action: 'exclude' },
    });
    expect(extractBuiltin(gitlab, []).answer).toEqual([r(1, 3)]);
    expect(extractBuiltin(gitlab, [errorWord]).answer).toEqual([r(1, 3)]);
  });

  it('include_following takes the next lines while a condition holds', () => {
    const { answer, steps } = run(
      rule({
        when: { lineMatches: 'Exception' },
        then: { action: 'include_following', lines: 10, while: { isStackFrame: true } },
      }),
    );
    expect(answer).toEqual([r(5, 7), r(10, 13)]);
    expect(steps[1]).toMatchObject({ added: [r(12, 13)] });
  });

  it('include_following without while takes exactly `lines` lines', () => {
    const { answer } = run(
      rule({
        when: { lineNumber: { min: 1, max: 1 } },
        then: { action: 'include_following', lines: 2 },
      }),
    );
    expect(answer[0]).toEqual(r(1, 3));
  });

  it('include_preceding takes the lines before', () => {
    const { answer } = run(
      rule({
        when: { lineMatches: 'BUILD FAILURE' },
        then: { action: 'include_preceding', lines: 1 },
      }),
    );
    expect(answer).toEqual([r(5, 7), r(9, 11)]);
  });

  it('exclude_following drops a line and the lines after it', () => {
    const { answer } = run(
      rule({
        when: { lineMatches: 'BUILD FAILURE' },
        then: { action: 'exclude_following', lines: 5 },
      }),
    );
    expect(answer).toEqual([r(5, 7)]);
  });

  it('conditions combine: selected, inPassLog, distance, position; rules apply in order', () => {
    const { answer, steps } = run(
      rule({
        id: 'a',
        when: { selected: true, distanceAfterMarker: { min: 1 } },
        then: { action: 'exclude' },
      }),
      rule({
        id: 'b',
        when: { fromEnd: { max: 0 }, inPassLog: false },
        then: { action: 'include' },
      }),
    );
    expect(answer).toEqual([r(5), r(7), r(10, 11), r(15)]);
    expect(steps.map((s) => s.kind === 'rule' && s.ruleId)).toEqual([false, 'a', 'b']);
  });

  it('judges a rule on the selection as it was before the rule', () => {
    // Judged line by line on the changing selection, this rule would run on to the end of the log.
    const { answer } = run(
      rule({ when: { selected: true }, then: { action: 'include_following', lines: 1 } }),
    );
    expect(answer).toEqual([r(5, 8), r(10, 12)]);
  });
});

describe('rules whose conditions are functions (how other rule shapes run here)', () => {
  it('apply like the same rule written as a TriageRule', () => {
    const written = rule({
      when: { lineMatches: 'Exception' },
      then: { action: 'include_following', lines: 10, while: { isStackFrame: true } },
    });
    const asFunctions = extractWithLineRules(
      input,
      [
        {
          id: 'r',
          when: (f) => /Exception/.test(f.text),
          then: { action: 'include_following', lines: 10, while: (f) => f.isStackFrame },
        },
      ],
      MARKERS,
    );
    expect(asFunctions).toEqual(extractBuiltin(input, [written], MARKERS));
    expect(asFunctions.answer).toEqual([r(5, 7), r(10, 13)]);
  });
});
