import { normalizeLine, splitLogLines, stripAnsi } from './log-lines';

describe('log lines', () => {
  it('ends a line at \\r\\n, a lone \\r or \\n, as the labels count them', () => {
    expect(splitLogLines('a\r\nb\rc\nd\n')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitLogLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(splitLogLines('')).toEqual([]);
  });

  it('strips colours and, for comparison, a leading timestamp', () => {
    expect(stripAnsi('[\u001b[1;31mERROR\u001b[m] boom')).toBe('[ERROR] boom');
    expect(normalizeLine('2022-06-16T13:41:36.0262878Z FAILURE: x  ')).toBe('FAILURE: x');
  });
});
