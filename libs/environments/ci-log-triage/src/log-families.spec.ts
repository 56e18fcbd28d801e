import { caseFiles, familyOf, LOG_FAMILIES, reformatCase } from './log-families';
import { normaliseLog } from './log-format';
import { parseGroundtruth } from './groundtruth.parser';
import type { TriageCase } from './triage-case';

const base: TriageCase = {
  id: 'demo_1',
  format: 'DEFAULT',
  failLines: ['[INFO] start', '[ERROR] boom', '\tat a.b.C(C.java:1)', '[INFO] BUILD FAILURE'],
  passLines: ['[INFO] start', '[INFO] BUILD SUCCESS'],
  errorRanges: [{ start: 2, end: 3 }],
  contextRanges: [{ start: 1, end: 1 }],
};

describe('reformatCase', () => {
  it.each(LOG_FAMILIES.filter((f) => f !== 'original'))(
    '%s keeps the labelled lines on the same build output',
    (family) => {
      const c = reformatCase(base, family);
      expect(c.id).toBe(`demo_1@${family}`);
      expect(familyOf(c.id)).toBe(family);
      const lines = normaliseLog(c.failLines).lines;
      const labelled = (t: TriageCase, ls: readonly string[]) =>
        t.errorRanges.flatMap((r) => ls.slice(r.start - 1, r.end));
      expect(labelled(c, lines)).toEqual(labelled(base, base.failLines));
      expect(c.failLines).not.toEqual(lines);
    },
  );

  it('writes case files the loader parses back to the same labels', () => {
    const c = reformatCase(base, 'jenkins');
    const files = caseFiles(c);
    expect(parseGroundtruth(files.groundtruth)).toEqual({
      format: 'JENKINS',
      errorRanges: c.errorRanges,
      contextRanges: c.contextRanges,
    });
    expect(files['fail.log'].split('\n').length - 1).toBe(c.failLines.length);
    expect(familyOf('demo_1')).toBe('original');
  });
});
