import {
  bestByCriteria,
  compareObjective,
  dominates,
  rankByCriteria,
  satisfiedTolerance,
  type ObjectiveScore,
} from './landing-objective';

/** A training-set score: `satisfied` of `flights`, at `fuel` times the vertical limit. */
const score = (
  satisfied: number,
  fuel: number | null,
  distance = 5,
  flights = 43,
): ObjectiveScore => ({
  flights,
  satisfied,
  safe: satisfied,
  medianFuelOverLimit: fuel,
  meanDistance: distance,
  medianFuelOverLimitSafe: fuel,
  meanTouchdownSpeed: 1,
});

describe('satisfiedTolerance', () => {
  it('is the larger of one flight or 2 % of the flights', () => {
    expect(satisfiedTolerance(10)).toBe(1);
    expect(satisfiedTolerance(43)).toBe(1);
    expect(satisfiedTolerance(100)).toBe(2);
    expect(satisfiedTolerance(250)).toBe(5);
    expect(() => satisfiedTolerance(-1)).toThrow(/flights/);
  });
});

describe('choosing among candidates by criteria', () => {
  it('prefers a clearly leaner candidate one satisfied landing short (where lexicographic order did not)', () => {
    const tweak = score(43, 1.74);
    const law = score(42, 1.06);
    // The old, lexicographic rank put the tweak first.
    expect(compareObjective(tweak, law)).toBeLessThan(0);
    expect(bestByCriteria([tweak, law])).toBe(1);
    expect(rankByCriteria([tweak, law], (s) => s)).toEqual([law, tweak]);
  });

  it('does not give up satisfied landings beyond the tolerance for fuel', () => {
    const tweak = score(43, 1.74);
    const law = score(41, 1.06);
    expect(bestByCriteria([law, tweak])).toBe(1);
    // With 100 flights, two are within the tolerance and three are not.
    expect(bestByCriteria([score(100, 1.7, 5, 100), score(98, 1.1, 5, 100)])).toBe(1);
    expect(bestByCriteria([score(100, 1.7, 5, 100), score(97, 1.1, 5, 100)])).toBe(0);
  });

  it('counts only a clearly lower median fuel: within 5 % the more satisfied one stays first', () => {
    const more = score(43, 1.1);
    const slightlyLeaner = score(42, 1.07);
    expect(bestByCriteria([slightlyLeaner, more])).toBe(1);
  });

  it('ranks equally satisfied, equally lean candidates by fuel, then distance; ties keep input order', () => {
    expect(bestByCriteria([score(43, 1.08, 2.5), score(43, 1.06, 8.2)])).toBe(1);
    expect(bestByCriteria([score(43, 1.06, 20), score(43, 1.06, 4)])).toBe(1);
    const a = score(40, 1.5);
    const b = score(40, 1.5);
    expect(rankByCriteria([a, b], (s) => s)[0]).toBe(a);
  });

  it('places every candidate once, choosing again among the rest', () => {
    const items = [score(43, 1.74), score(42, 1.06), score(30, 1.01), score(0, null)];
    const ranked = rankByCriteria(items, (s) => s);
    expect(ranked).toEqual([items[1], items[0], items[2], items[3]]);
    expect(() => bestByCriteria([])).toThrow(/at least one/);
  });
});

describe('dominance while nothing satisfies', () => {
  const failing = (safeFuel: number | null, touchdown = 1): ObjectiveScore => ({
    flights: 40,
    satisfied: 0,
    safe: 38,
    medianFuelOverLimit: null,
    meanDistance: 5,
    medianFuelOverLimitSafe: safeFuel,
    meanTouchdownSpeed: touchdown,
  });

  it('tells a failure that burns 2.1x the limit from one that burns 4x (every landing over the allowance)', () => {
    expect(dominates(failing(2.1), failing(4))).toBe(true);
    expect(dominates(failing(4), failing(2.1))).toBe(false);
    // A leaner failure that touches down harder is a trade, not a dominance.
    expect(dominates(failing(2.1, 2), failing(4, 1))).toBe(false);
  });

  it("stops counting the safe landings' fuel once something satisfies", () => {
    const some = (safeFuel: number): ObjectiveScore => ({
      ...failing(safeFuel),
      satisfied: 10,
      medianFuelOverLimit: 1.5,
    });
    expect(dominates(some(1.8), some(3))).toBe(false);
    expect(dominates(some(3), some(1.8))).toBe(false);
  });
});
