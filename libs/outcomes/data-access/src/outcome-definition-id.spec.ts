import { definitionDocId, sameDefinition, storedForm } from './outcome-definition-id';

describe('definitionDocId', () => {
  it('names tenant, agent and version', () => {
    expect(definitionDocId('acme', 'agt_1', 3)).toBe('acme/agt_1/3');
  });
});

describe('sameDefinition', () => {
  const def = {
    description: 'Land softly',
    maxIterations: 3,
    criteria: [{ id: 'safe', kind: 'bound', op: 'eq', value: true, weight: 1 }],
  };

  it('ignores key order and undefined fields', () => {
    const reordered = {
      criteria: [{ weight: 1, value: true, op: 'eq', kind: 'bound', id: 'safe' }],
      maxIterations: 3,
      environment: undefined,
      description: 'Land softly',
    };
    expect(sameDefinition(def, reordered)).toBe(true);
  });

  it('sees a changed value, a changed criterion order and an extra field', () => {
    expect(sameDefinition(def, { ...def, maxIterations: 4 })).toBe(false);
    expect(
      sameDefinition(
        { ...def, criteria: [def.criteria[0], { ...def.criteria[0], id: 'b' }] },
        { ...def, criteria: [{ ...def.criteria[0], id: 'b' }, def.criteria[0]] },
      ),
    ).toBe(false);
    expect(sameDefinition(def, { ...def, environment: 'lunar-lander' })).toBe(false);
  });
});

describe('storedForm', () => {
  it('drops undefined fields and copies', () => {
    const input = { a: 1, b: undefined, c: { d: [1, 2] } };
    const stored = storedForm(input);
    expect(stored).toEqual({ a: 1, c: { d: [1, 2] } });
    expect(Object.keys(stored)).toEqual(['a', 'c']);
    expect(stored.c).not.toBe(input.c);
  });
});
