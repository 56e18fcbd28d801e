import { parseAnswer } from './answer.schema';

describe('parseAnswer', () => {
  it('accepts ranges inside the log', () => {
    expect(
      parseAnswer(
        [
          { start: 1, end: 1 },
          { start: 3, end: 10 },
        ],
        10,
      ),
    ).toHaveLength(2);
    expect(parseAnswer([], 10)).toEqual([]);
  });

  it.each([
    [[{ start: 5, end: 2 }], /ranges\[0\]\.end start must not be after end/],
    [
      [
        { start: 1, end: 2 },
        { start: 9, end: 11 },
      ],
      /ranges\[1\]\.end is line 11, past the end of the log \(10 lines\)/,
    ],
    [[{ start: 0, end: 2 }], /ranges\[0\]\.start must be at least 1/],
    [[{ start: 1.5, end: 2 }], /ranges\[0\]\.start must be a whole line number/],
    [[{ start: 1 }], /ranges\[0\]\.end/],
    [[{ start: 1, end: 1, note: 'x' }], /ranges\[0\]/],
    ['1-3', /invalid answer: ranges /],
  ])('rejects %j with a message naming the range', (input, message) => {
    expect(() => parseAnswer(input, 10)).toThrow(message);
  });
});
