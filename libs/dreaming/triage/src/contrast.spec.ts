import type { PlaybookRule } from '@reverie/playbooks-domain';
import { contrastLines, linePatterns } from './contrast';
import type { LabelledCase } from './evaluate';

// Two tiny builds whose real error is a `BOOM:` line the day-one markers do not know.
const synthetic = (id: string, n: number): LabelledCase => ({
  id,
  failLines: [
    '[INFO] start',
    `compiling module${n}`,
    `BOOM: widget ${n} broke at step ${n * 7}`,
    '[INFO] BUILD FAILURE',
  ],
  passLines: ['[INFO] start', `compiling module${n}`, '[INFO] BUILD SUCCESS'],
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
