import { parseGroundtruth } from './groundtruth.parser';

describe('parseGroundtruth', () => {
  it('reads the format, error and context ranges', () => {
    expect(parseGroundtruth('RAW_GITHUB\nC 542\nE 543-544\n')).toEqual({
      format: 'RAW_GITHUB',
      errorRanges: [{ start: 543, end: 544 }],
      contextRanges: [{ start: 542, end: 542 }],
    });
  });

  it('skips blank lines and tolerates CRLF and trailing spaces', () => {
    expect(parseGroundtruth('DEFAULT\r\n\r\nE 1-3  \r\nE 7\r\n').errorRanges).toEqual([
      { start: 1, end: 3 },
      { start: 7, end: 7 },
    ]);
  });

  it('accepts overlapping ranges (the real data has one)', () => {
    expect(parseGroundtruth('DEFAULT\nE 10-20\nE 12-13').errorRanges).toHaveLength(2);
  });

  it("reads CiDiff's first layout: no format line, bare ranges as error ranges", () => {
    expect(parseGroundtruth('34-45\n56\n')).toEqual({
      format: 'DEFAULT',
      errorRanges: [
        { start: 34, end: 45 },
        { start: 56, end: 56 },
      ],
      contextRanges: [],
    });
    // Mixed with labels after a format line too.
    expect(parseGroundtruth('DEFAULT\nC 3\n4-5').errorRanges).toEqual([{ start: 4, end: 5 }]);
  });

  it.each([
    ['', /is empty/],
    ['TRAVIS\nE 1', /line 1: expected the log format .* or a labelled range first, got "TRAVIS"/],
    ['DEFAULT\nE 1\nX 4', /line 3: expected "E <range>" or "C <range>".*got "X 4"/],
    ['DEFAULT\nE 4-', /line 2: expected "E <range>"/],
    ['DEFAULT\nE 9-3', /line 2: range ends \(3\) before it starts \(9\)/],
    ['DEFAULT\nE 0', /line 2: line numbers start at 1/],
    [
      'DEFAULT\nE 1-99999999999999999999',
      /line 2: a line number no log reaches, got "E 1-99999999999999999999"/,
    ],
    [
      'DEFAULT\nE 99999999999999999999-5',
      /line 2: a line number no log reaches, got "E 99999999999999999999-5"/,
    ],
    ['DEFAULT\nC 1-4\n', /labels no error lines: a case needs at least one "E <range>" line/],
  ])('rejects %j naming the line', (text, message) => {
    expect(() => parseGroundtruth(text)).toThrow(message);
  });

  it('names the file in its errors', () => {
    expect(() => parseGroundtruth('DEFAULT\nbad', 'spork_441/groundtruth')).toThrow(
      /^spork_441\/groundtruth line 2:/,
    );
  });
});
