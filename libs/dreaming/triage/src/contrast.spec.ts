import type { PlaybookRule } from '@reverie/playbooks-domain';
import { contrastLines, DEFAULT_CONTRAST, linePatterns } from './contrast';
import type { LabelledCase } from './evaluate';

// Two tiny builds whose real error is a `BOOM:` line the day-one heuristic does not take: the
// passing run printed a line of the same shape (numbers masked), so it is not new. Their last
// line is new and says more than a status (`BUILD FAILURE` would be a status line, never taken).
const synthetic = (id: string, n: number): LabelledCase => ({
  id,
  failLines: [
    '[INFO] start',
    `compiling module${n}`,
    `BOOM: widget ${n} broke at step ${n * 7}`,
    '[INFO] Tests FAILED',
  ],
  passLines: [
    '[INFO] start',
    `compiling module${n}`,
    `BOOM: widget ${n + 1} broke at step 1`,
    '[INFO] BUILD SUCCESS',
  ],
  errorRanges: [{ start: 3, end: 3 }],
});

describe('contrastLines', () => {
  it('finds the pattern that separates the missed lines, generalised across cases', () => {
    const contrast = contrastLines([synthetic('a', 1), synthetic('b', 2)], []);
    expect(contrast.cases).toEqual([
      { caseId: 'a', f1: 0, missed: [3], falsePositives: [4] },
      { caseId: 'b', f1: 0, missed: [3], falsePositives: [4] },
    ]);
    const missed = contrast.patterns.filter((p) => p.target === 'missed');
    expect(missed).toContainEqual(
      expect.objectContaining({
        feature: 'text',
        op: 'matches',
        value: '^BOOM:',
        lines: 2,
        cases: ['a', 'b'],
        against: 0,
      }),
    );
    // Numbers never reach a pattern, so no dataset line is copied whole.
    expect(missed.every((p) => !/\d/.test(String(p.value)))).toBe(true);
    const fp = contrast.patterns.filter((p) => p.target === 'falsePositive');
    expect(fp).toContainEqual(
      expect.objectContaining({ value: '^\\[INFO\\]', lines: 2, against: 0 }),
    );
    expect(contrast.features).toContainEqual(
      expect.objectContaining({
        feature: 'inPassLog',
        op: 'eq',
        value: false,
        target: 'missed',
        lines: 2,
      }),
    );
  });

  it('sees the current rules: a rule that already includes the line leaves nothing missed', () => {
    const rule: PlaybookRule = {
      entryId: 'boom',
      title: 'boom',
      when: { feature: 'text', op: 'matches', value: '^BOOM:' },
      then: { action: 'include' },
    };
    const contrast = contrastLines([synthetic('a', 1), synthetic('b', 2)], [rule]);
    expect(contrast.cases.map((c) => c.missed)).toEqual([[], []]);
    expect(contrast.patterns.filter((p) => p.target === 'missed')).toEqual([]);
  });
});

describe('contrastLines across kinds of log', () => {
  // The same `BOOM:` mistake in two builds whose Maven compiler goal failed, and in a third whose
  // surefire goal failed: `logKind` tells the kinds apart.
  const kinded = (id: string, n: number, plugin: string): LabelledCase => {
    const c = synthetic(id, n);
    return {
      ...c,
      failLines: [
        ...c.failLines,
        `[ERROR] Failed to execute goal org.apache.maven.plugins:maven-${plugin}-plugin:1:x on project p`,
      ],
    };
  };
  const boom = (cases: LabelledCase[], minKinds: number) =>
    contrastLines(cases, [], { ...DEFAULT_CONTRAST, minKinds }).patterns.find(
      (p) => p.target === 'missed' && p.value === '^BOOM:',
    );

  it('counts the kinds of the logs a test holds in, and can require several', () => {
    const oneKind = [kinded('a', 1, 'compiler'), kinded('b', 2, 'compiler')];
    expect(boom(oneKind, 1)).toEqual(expect.objectContaining({ kinds: ['maven:compiler'] }));
    // Training logs of one kind: every kind they have is enough.
    expect(boom(oneKind, 2)).toBeDefined();
    const twoKinds = [...oneKind, kinded('c', 3, 'surefire')];
    expect(boom(twoKinds, 2)).toEqual(
      expect.objectContaining({
        cases: ['a', 'b', 'c'],
        kinds: ['maven:compiler', 'maven:surefire'],
      }),
    );
    // A pattern only the compiler logs' mistakes share is a trait of that kind.
    const compilerOnly = [
      kinded('a', 1, 'compiler'),
      kinded('b', 2, 'compiler'),
      { ...kinded('c', 3, 'surefire'), errorRanges: [] },
    ];
    expect(boom(compilerOnly, 1)).toBeDefined();
    expect(boom(compilerOnly, 2)).toBeUndefined();
  });

  it("proposes no thresholds on the line's position: where the training mistakes sit is their logs' length", () => {
    const cases = [synthetic('a', 1), synthetic('b', 2)];
    const features = (skipFeatures?: readonly string[]) =>
      contrastLines(cases, [], { ...DEFAULT_CONTRAST, skipFeatures }).features.map(
        (f) => f.feature,
      );
    const position = ['lineNumber', 'fromEnd', 'relativePosition'];
    expect(DEFAULT_CONTRAST.skipFeatures).toEqual(position);
    for (const f of position) expect(features(DEFAULT_CONTRAST.skipFeatures)).not.toContain(f);
    expect(features([])).toEqual(expect.arrayContaining(position));
  });

  it('proposes a boolean test that holds on few of the mistaken lines when it spares the labelled ones', () => {
    // Each build prints one new line that says nothing went wrong (a new preamble), and three
    // new lines around its error: the preamble is a minority of the wrongly answered lines.
    const noisy = (id: string, n: number): LabelledCase => ({
      id,
      failLines: [
        'Run tests',
        `Permissions: read ${id}`,
        'Run tests',
        'Done',
        `FAIL test_${id} at step ${n}`,
        `progress alpha ${id}`,
        `progress beta ${id}`,
        `progress gamma ${id}`,
      ],
      passLines: ['Run tests', 'Done'],
      errorRanges: [{ start: 5, end: 5 }],
    });
    // Day one answers only the stretch that says trouble; a current rule takes the preamble too.
    const preamble: PlaybookRule = {
      entryId: 'preamble',
      title: 'preamble',
      when: { feature: 'text', op: 'matches', value: '^Permissions:' },
      then: { action: 'include' },
    };
    const contrast = contrastLines([noisy('a', 1), noisy('b', 2)], [preamble]);
    expect(contrast.cases.map((c) => c.falsePositives)).toEqual([
      [2, 6, 7, 8],
      [2, 6, 7, 8],
    ]);
    expect(contrast.features).toContainEqual(
      expect.objectContaining({
        feature: 'inMarkedNews',
        value: false,
        target: 'falsePositive',
        lines: 2,
        against: 0,
      }),
    );
  });

  it("proposes no exclude on a line's distance to the markers, its indent or the markers' runs; includes keep them", () => {
    const cases = [synthetic('a', 1), synthetic('b', 2)];
    const tests = (skipExcludeFeatures?: readonly string[]) =>
      contrastLines(cases, [], { ...DEFAULT_CONTRAST, skipExcludeFeatures }).features;
    const skipped = DEFAULT_CONTRAST.skipExcludeFeatures ?? [];
    expect(skipped).toEqual(expect.arrayContaining(['distanceToFreshBlock', 'runLength']));
    expect(skipped).not.toContain('inMarkedNews');
    const on = (target: string, list: { feature: string; target: string }[]) =>
      list.filter((t) => t.target === target).map((t) => t.feature);
    const byDefault = tests(skipped);
    for (const f of skipped) expect(on('falsePositive', byDefault)).not.toContain(f);
    // Off, the same contrast proposes some of them for the wrongly answered lines...
    expect(on('falsePositive', tests([])).some((f) => skipped.includes(f))).toBe(true);
    // ...and with them skipped, the missed lines' tests are the same.
    expect(on('missed', byDefault)).toEqual(on('missed', tests([])));
  });
});

describe('linePatterns', () => {
  it('generalises tags, leading words and exception names without numbers or paths', () => {
    expect(linePatterns('[ERROR] Failed to execute goal 3 on /a/b.c')).toEqual(
      expect.arrayContaining(['^\\[ERROR\\]', '\\bFailed to execute\\b']),
    );
    expect(linePatterns('2022-06-16T13:41:36.0279714Z ##[error]Process completed')).toContain(
      '^(?:\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ?)?##\\[error\\]',
    );
    expect(linePatterns('java.lang.IllegalStateException: x')).toContain('Exception:');
    expect(linePatterns('\tat a.b.C.m(C.java:12)')).toContain('^\\s+at\\b');
  });
});
