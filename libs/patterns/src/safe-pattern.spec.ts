import { guardBacktracking, patternRisk, runsInLinearTime, tenantRegExp } from './safe-pattern';

describe('tenant patterns and catastrophic backtracking', () => {
  it('finishes a match that would backtrack exponentially, with the same answer', () => {
    guardBacktracking();
    // Without the guard V8 needs about 2^n steps here: n = 5,000 would never finish.
    const evil = tenantRegExp('^(a+)+$');
    expect(evil.test(`${'a'.repeat(5_000)}b`)).toBe(false);
    expect(evil.test('a'.repeat(5_000))).toBe(true);
    expect(tenantRegExp('(x+x+)+y', 'm').test(`${'x'.repeat(3_000)}\n`)).toBe(false);
  }, 60_000);

  it("says which patterns V8's linear engine runs", () => {
    expect(runsInLinearTime('^(a+)+$')).toBe(true);
    expect(runsInLinearTime('\\bFAILURE\\b', 'm')).toBe(true);
    expect(runsInLinearTime('(?=a)b')).toBe(false);
    expect(runsInLinearTime('(a)\\1')).toBe(false);
    expect(runsInLinearTime('error', 'i')).toBe(false);
  });

  it.each([
    // Linear engine: accepted whatever their shape (the fallback bounds them).
    ['^(a+)+$', '', null],
    ['(ERROR|WARN)+:', '', null],
    // Not for the linear engine (i flag, lookaround), and simple: accepted.
    ['\\bbuild failed\\b', 'i', null],
    ['error.*failed', 'i', null],
    ['(?<!\\[INFO\\] )ERROR', '', null],
    ['^(?:\\[ERROR\\] )?[A-Z]\\w+Exception', 'i', null],
    ['[(+]+x', 'i', null],
    ['not a pattern (', '', null],
    // Not for the linear engine, and able to backtrack without bound: refused.
    ['^(a+)+$', 'i', /repeats a group that itself repeats or alternates/],
    ['(\\w+\\s?)+$', 'i', /repeats a group/],
    ['(?:a|ab)*c', 'i', /repeats a group/],
    ['(?=x)(a|b)+', '', /repeats a group/],
    ['(a)\\1', '', /back-reference/],
    ['(?<q>a)\\k<q>', '', /back-reference/],
  ])('patternRisk(%j, %j)', (pattern, flags, expected) => {
    const risk = patternRisk(pattern, flags);
    if (expected === null) expect(risk).toBeNull();
    else expect(risk).toMatch(expected);
  });
});
