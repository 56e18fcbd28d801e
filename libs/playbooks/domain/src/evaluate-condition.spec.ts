import { conditionSchema, type Condition } from './condition.schema';
import { describeCondition } from './describe-rule';
import { evaluateCondition, featureValue } from './evaluate-condition';
import { PlaybookError } from './playbook-error';
import { deepFreeze } from './testing';

const features = deepFreeze({
  altitude: 40,
  phase: 'descent',
  gear_down: true,
  radar: null,
  sensors: { pitch: 3.5 },
  'log.line': 'FAIL src/app.spec.ts',
});
const holds = (c: Condition) => evaluateCondition(deepFreeze(c), features);

describe('evaluateCondition', () => {
  it.each<[Condition, boolean]>([
    [{ feature: 'phase', op: 'eq', value: 'descent' }, true],
    [{ feature: 'phase', op: 'eq', value: 'orbit' }, false],
    [{ feature: 'gear_down', op: 'eq', value: true }, true],
    [{ feature: 'phase', op: 'ne', value: 'orbit' }, true],
    [{ feature: 'phase', op: 'ne', value: 'descent' }, false],
    [{ feature: 'altitude', op: 'lt', value: 50 }, true],
    [{ feature: 'altitude', op: 'lt', value: 40 }, false],
    [{ feature: 'altitude', op: 'lte', value: 40 }, true],
    [{ feature: 'altitude', op: 'gt', value: 40 }, false],
    [{ feature: 'altitude', op: 'gte', value: 40 }, true],
    [{ feature: 'phase', op: 'in', value: ['landing', 'descent'] }, true],
    [{ feature: 'altitude', op: 'in', value: [1, 2] }, false],
    [{ feature: 'log.line', op: 'matches', value: '^FAIL\\s' }, true],
    [{ feature: 'log.line', op: 'matches', value: '^PASS' }, false],
    [{ feature: 'altitude', op: 'exists' }, true],
    [{ feature: 'sensors.pitch', op: 'gt', value: 3 }, true],
  ])('%j -> %s', (c, expected) => {
    expect(holds(c)).toBe(expected);
  });

  it('combines with all, any and not', () => {
    const low = { feature: 'altitude', op: 'lt', value: 50 } as const;
    const orbit = { feature: 'phase', op: 'eq', value: 'orbit' } as const;
    expect(holds({ all: [low, { not: orbit }] })).toBe(true);
    expect(holds({ all: [low, orbit] })).toBe(false);
    expect(holds({ any: [orbit, low] })).toBe(true);
    expect(holds({ any: [orbit, { not: low }] })).toBe(false);
    expect(holds({ not: { not: low } })).toBe(true);
  });

  it('is false for every test on a missing or null feature, exists and ne included', () => {
    for (const feature of ['fuel', 'radar', 'sensors.yaw'])
      for (const c of [
        { feature, op: 'exists' },
        { feature, op: 'ne', value: 1 },
        { feature, op: 'eq', value: 1 },
        { feature, op: 'lt', value: 1 },
        { feature, op: 'in', value: [1] },
        { feature, op: 'matches', value: '.*' },
      ] as Condition[])
        expect(holds(c)).toBe(false);
    expect(holds({ not: { feature: 'fuel', op: 'exists' } })).toBe(true);
  });

  it('is false when the types differ', () => {
    expect(holds({ feature: 'phase', op: 'lt', value: 5 })).toBe(false);
    expect(holds({ feature: 'altitude', op: 'matches', value: '4' })).toBe(false);
    expect(holds({ feature: 'altitude', op: 'eq', value: '40' })).toBe(false);
  });

  it.each([
    [
      { feature: 'altitude', op: 'approx', value: 1 },
      /when\.op "approx" is not an operator; use one of eq, ne, lt/,
    ],
    [
      { feature: 'log', op: 'matches', value: '(unclosed' },
      /when\.value is not a valid regular expression .*escape special characters/,
    ],
    [
      { all: [{ feature: 'a', op: 'lt', value: '5' }] },
      /when\.all\[0\]\.value must be a finite number for "lt"/,
    ],
    [
      { feature: 'a', op: 'in', value: 5 },
      /when\.value must be a list of 1 to 1000 values for "in"/,
    ],
    [{ feature: 'a', op: 'exists', value: true }, /must be left out for "exists"/],
    [{ any: [] }, /when\.any must be a non-empty list/],
    [{ feature: 'a', op: 'eq', value: 1, all: [] }, /exactly one of all, any, not or feature/],
    [{ feature: '9lives', op: 'exists' }, /when\.feature must be a feature name/],
    ['altitude < 5', /must be an object/],
  ])('explains a malformed condition %j', (c, message) => {
    expect(() => evaluateCondition(c as unknown as Condition, features)).toThrow(PlaybookError);
    expect(() => evaluateCondition(c as unknown as Condition, features)).toThrow(message);
  });

  it('checks the whole tree even when an early branch decides', () => {
    const c = {
      any: [
        { feature: 'altitude', op: 'exists' },
        { feature: 'x', op: 'nope' },
      ],
    };
    expect(() => evaluateCondition(c as unknown as Condition, features)).toThrow(
      /when\.any\[1\]\.op/,
    );
  });

  it('bounds the depth of a condition', () => {
    let c: Condition = { feature: 'a', op: 'exists' };
    for (let i = 0; i < 20; i++) c = { not: c };
    expect(() => evaluateCondition(c, features)).toThrow(/nests deeper than 16 levels/);
  });

  it('finds flat dotted names before nested ones', () => {
    expect(featureValue({ 'a.b': 1, a: { b: 2 } }, 'a.b')).toBe(1);
    expect(featureValue({ a: { b: 2 } }, 'a.b')).toBe(2);
    expect(featureValue({ a: 1 }, 'a.b')).toBeUndefined();
  });
});

describe('conditionSchema', () => {
  it('refuses a back-reference, which no engine bounds; accepts a runaway pattern V8 bounds', () => {
    const bad = conditionSchema.safeParse({
      any: [
        { feature: 'x', op: 'eq', value: 1 },
        { feature: 'log.line', op: 'matches', value: '(a+)\\1' },
      ],
    });
    expect(bad.error?.issues[0].message).toMatch(/^any\[1\]\.value uses a back-reference/);
    // A rule stored before the check still evaluates (under the guard), rather than failing.
    expect(
      evaluateCondition(
        { feature: 'log.line', op: 'matches', value: '(a+)\\1' },
        { 'log.line': 'aa' },
      ),
    ).toBe(true);
    const evil = { feature: 'log.line', op: 'matches', value: '^(a+)+$' } as const;
    expect(conditionSchema.safeParse(evil).success).toBe(true);
  });

  it('ends a match that would backtrack exponentially (2^5000 steps), with the right answer', () => {
    const evil = { feature: 'log.line', op: 'matches', value: '^(a+)+$' } as const;
    expect(evaluateCondition(evil, { 'log.line': `${'a'.repeat(5_000)}b` })).toBe(false);
    expect(evaluateCondition(evil, { 'log.line': 'a'.repeat(5_000) })).toBe(true);
  }, 60_000);

  it('accepts a valid tree and reports paths of an invalid one', () => {
    expect(conditionSchema.safeParse({ all: [{ feature: 'a', op: 'gt', value: 1 }] }).success).toBe(
      true,
    );
    const bad = conditionSchema.safeParse({ all: [{ feature: 'a', op: 'gt' }] });
    expect(bad.error?.issues[0].message).toBe(
      'all[0].value must be a finite number for "gt", not nothing',
    );
  });
});

describe('describeCondition', () => {
  it('reads like an expression, with parentheses only where needed', () => {
    expect(
      describeCondition({
        all: [
          { feature: 'altitude', op: 'lt', value: 50 },
          {
            any: [
              { feature: 'phase', op: 'in', value: ['a', 'b'] },
              { not: { feature: 'radar', op: 'exists' } },
            ],
          },
          { feature: 'line', op: 'matches', value: '^FAIL' },
          { feature: 'gear', op: 'ne', value: true },
        ],
      }),
    ).toBe(
      'altitude < 50 and (phase in ["a", "b"] or not radar exists) and line matches /^FAIL/ and gear != true',
    );
  });
});
