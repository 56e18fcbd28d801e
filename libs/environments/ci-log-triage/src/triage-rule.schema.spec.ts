import {
  parseRules,
  RULE_ACTIONS,
  RULE_CONDITIONS,
  lineConditionSchema,
} from './triage-rule.schema';

describe('parseRules', () => {
  it('accepts general rules', () => {
    const rules = parseRules([
      {
        id: 'frames',
        when: { isMarker: true },
        then: { action: 'include_following', lines: 30, while: { isStackFrame: true } },
      },
      {
        id: 'noise',
        when: { lineMatches: 'Downloading', ignoreCase: true },
        then: { action: 'exclude' },
      },
      { id: 'tail', when: { fromEnd: { max: 3 }, isBlank: false }, then: { action: 'include' } },
    ]);
    expect(rules.map((r) => r.id)).toEqual(['frames', 'noise', 'tail']);
  });

  it.each([
    [
      [{ id: 'r', when: { lineMatches: '(' }, then: { action: 'include' } }],
      /^rule "r" \(rules\[0\]\): when.lineMatches is not a valid regular expression/,
    ],
    [
      [{ id: 'r', when: { lineNotMatches: '[a-' }, then: { action: 'exclude' } }],
      /when.lineNotMatches is not a valid regular expression/,
    ],
    [
      [{ id: 'r', when: {}, then: { action: 'include_following', while: { lineMatches: '*' } } }],
      /then.while.lineMatches is not a valid/,
    ],
    [[{ id: 'r', when: {}, then: { action: 'explode' } }], /then.action/],
    [
      [{ id: 'r', when: {}, then: { action: 'include', lines: 3 } }],
      /then.lines only applies to include_following.*not to include/,
    ],
    [
      [{ id: 'r', when: { indent: { min: 4, max: 2 } }, then: { action: 'include' } }],
      /when.indent min must not be greater than max/,
    ],
    [
      [
        {
          id: 'r',
          when: { lineMatches: '(?!x)(\\w+ ?)+:' },
          then: { action: 'include' },
        },
      ],
      /^rule "r" \(rules\[0\]\): when.lineMatches repeats a group that itself repeats or alternates/,
    ],
    [[{ id: 'r', when: { colour: 'red' }, then: { action: 'include' } }], /when/],
    [[{ when: {}, then: { action: 'include' } }], /^rule \(rules\[0\]\): id/],
    [
      [
        { id: 'a', when: {}, then: { action: 'include' } },
        { id: 'a', when: {}, then: { action: 'exclude' } },
      ],
      /rules\[1\]\): id is already used/,
    ],
    [{ id: 'a' }, /rules must be an array/],
  ])('rejects %j with a clear error', (input, message) => {
    expect(() => parseRules(input)).toThrow(message);
  });

  it('lists every condition the schema accepts, and every action', () => {
    expect(RULE_CONDITIONS.map((c) => c.key).sort()).toEqual(
      Object.keys(lineConditionSchema.shape).sort(),
    );
    expect(RULE_ACTIONS.map((a) => a.action)).toContain('include_following');
  });
});
