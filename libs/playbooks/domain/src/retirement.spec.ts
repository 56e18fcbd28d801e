import { harmfulRatio, retirementDeltas, shouldRetire } from './retirement';
import { anEntry } from './testing';

describe('shouldRetire', () => {
  const policy = { minObservations: 10, maxHarmfulRatio: 0.5 };

  it('retires an entry that hurt more than the ratio over enough sessions', () => {
    expect(shouldRetire(anEntry({ helpful: 4, harmful: 6 }), policy)).toBe(true);
  });

  it('keeps it below the observation minimum, at the ratio, or when already retired', () => {
    expect(shouldRetire(anEntry({ helpful: 0, harmful: 9 }), policy)).toBe(false);
    expect(shouldRetire(anEntry({ helpful: 5, harmful: 5 }), policy)).toBe(false);
    expect(shouldRetire(anEntry({ helpful: 0, harmful: 20, status: 'retired' }), policy)).toBe(
      false,
    );
  });

  it('uses defaults (10 sessions, more than half harmful)', () => {
    expect(shouldRetire(anEntry({ helpful: 4, harmful: 6 }))).toBe(true);
    expect(shouldRetire(anEntry({ helpful: 1, harmful: 2 }), { minObservations: 3 })).toBe(true);
  });

  it('computes the ratio, 0 before any observation', () => {
    expect(harmfulRatio(anEntry({ helpful: 1, harmful: 3 }))).toBe(0.75);
    expect(harmfulRatio(anEntry())).toBe(0);
  });

  it('turns the verdicts into retire deltas with the numbers as the reason', () => {
    expect(
      retirementDeltas([
        anEntry({ id: 'pb-bad', helpful: 2, harmful: 8 }),
        anEntry({ id: 'pb-good', helpful: 9, harmful: 1 }),
      ]),
    ).toEqual([{ kind: 'retire', id: 'pb-bad', reason: 'harmful in 8 of 10 sessions (80%)' }]);
  });
});
