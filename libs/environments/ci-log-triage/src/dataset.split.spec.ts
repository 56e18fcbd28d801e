import { hashUnit, repeatCases, splitCases } from './dataset.split';

const cases = Array.from({ length: 200 }, (_, i) => ({ id: `case_${i}` }));

describe('splitCases', () => {
  it('gives the same split on every call, whatever the order of the cases', () => {
    const a = splitCases(cases, { heldOutFraction: 0.3, salt: 's' });
    const b = splitCases([...cases].reverse(), { heldOutFraction: 0.3, salt: 's' });
    expect(b.heldOut.map((c) => c.id).sort()).toEqual(a.heldOut.map((c) => c.id).sort());
    expect(a.train.length + a.heldOut.length).toBe(200);
  });

  it('pins the hash so a change of algorithm is noticed (it would move every split)', () => {
    expect(hashUnit('reverie/ci-log-triage:spork_441')).toBeCloseTo(
      parseInt('70c77bc853bd', 16) / 2 ** 48,
      12,
    );
  });

  it('never moves a case when another is added', () => {
    const before = splitCases(cases, { heldOutFraction: 0.3, salt: 's' });
    const after = splitCases([...cases, { id: 'new' }], { heldOutFraction: 0.3, salt: 's' });
    expect(after.heldOut.filter((c) => c.id !== 'new')).toEqual(before.heldOut);
  });

  it('holds out roughly the requested share, and a different salt draws a different split', () => {
    const a = splitCases(cases, { heldOutFraction: 0.3, salt: 's' });
    const b = splitCases(cases, { heldOutFraction: 0.3, salt: 't' });
    expect(a.heldOut.length).toBeGreaterThan(40);
    expect(a.heldOut.length).toBeLessThan(80);
    expect(b.heldOut).not.toEqual(a.heldOut);
  });

  it('handles the extremes and rejects a fraction outside [0, 1]', () => {
    expect(splitCases(cases, { heldOutFraction: 0, salt: 's' }).heldOut).toEqual([]);
    expect(splitCases(cases, { heldOutFraction: 1, salt: 's' }).train).toEqual([]);
    expect(() => splitCases(cases, { heldOutFraction: 1.5, salt: 's' })).toThrow(
      /between 0 and 1, got 1.5/,
    );
  });
});

describe('repeatCases', () => {
  it('suffixes ids so every copy is distinct', () => {
    const out = repeatCases([{ id: 'a' }, { id: 'b' }], 3);
    expect(out.map((c) => c.id)).toEqual(['a.r1', 'b.r1', 'a.r2', 'b.r2', 'a.r3', 'b.r3']);
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => repeatCases([{ id: 'a' }], 0)).toThrow(/positive integer, got 0/);
  });
});
