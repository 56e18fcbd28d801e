import { aggregate, scoreAnswer } from './scoring';

describe('scoreAnswer', () => {
  it('counts lines, not ranges (hand-computed)', () => {
    // truth: 10-19 (10 lines); answer: 15-24 (10 lines) -> tp 15..19 = 5, fp 20..24 = 5, fn 10..14 = 5
    expect(scoreAnswer([{ start: 15, end: 24 }], [{ start: 10, end: 19 }])).toEqual({
      tp: 5,
      fp: 5,
      fn: 5,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
  });

  it('handles several ranges on both sides', () => {
    // truth: 1-4, 10 (5 lines); answer: 3-5, 9-10 (5 lines) -> tp {3,4,10} = 3, fp {5,9} = 2, fn {1,2} = 2
    const s = scoreAnswer(
      [
        { start: 9, end: 10 },
        { start: 3, end: 5 },
      ],
      [
        { start: 1, end: 4 },
        { start: 10, end: 10 },
      ],
    );
    expect(s).toMatchObject({ tp: 3, fp: 2, fn: 2, precision: 0.6, recall: 0.6 });
    expect(s.f1).toBeCloseTo(0.6);
  });

  it('counts a line once when ranges overlap', () => {
    // answer 1-6 twice-covered at 3-4; truth 5-8 -> tp {5,6} = 2, fp {1..4} = 4, fn {7,8} = 2
    const s = scoreAnswer(
      [
        { start: 1, end: 4 },
        { start: 3, end: 6 },
      ],
      [
        { start: 5, end: 8 },
        { start: 6, end: 6 },
      ],
    );
    expect(s).toMatchObject({ tp: 2, fp: 4, fn: 2, recall: 0.5 });
    expect(s.precision).toBeCloseTo(1 / 3);
    expect(s.f1).toBeCloseTo((2 * (1 / 3) * 0.5) / (1 / 3 + 0.5));
  });

  it('scores an empty answer 0 and an exact one 1', () => {
    const truth = [{ start: 2, end: 3 }];
    expect(scoreAnswer([], truth)).toMatchObject({ tp: 0, fp: 0, fn: 2, precision: 0, f1: 0 });
    expect(scoreAnswer(truth, truth)).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(scoreAnswer([], [])).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });

  it('does not expand huge ranges line by line', () => {
    const s = scoreAnswer([{ start: 1, end: 1e12 }], [{ start: 1, end: 10 }]);
    expect(s).toMatchObject({ tp: 10, fp: 1e12 - 10, fn: 0 });
  });
});

describe('aggregate', () => {
  it('gives micro from summed counts and macro from the mean of cases (hand-computed)', () => {
    const a = scoreAnswer([{ start: 1, end: 2 }], [{ start: 1, end: 2 }]); // tp 2: P=R=F1=1
    const b = scoreAnswer([{ start: 1, end: 8 }], [{ start: 7, end: 10 }]); // tp 2 fp 6 fn 2: P .25 R .5
    const agg = aggregate([a, b]);
    // micro: tp 4 fp 6 fn 2 -> P 0.4, R 4/6, F1 = 2*0.4*(2/3)/(0.4+2/3) = 0.5
    expect(agg.cases).toBe(2);
    expect(agg.micro).toMatchObject({ tp: 4, fp: 6, fn: 2, precision: 0.4 });
    expect(agg.micro.recall).toBeCloseTo(2 / 3);
    expect(agg.micro.f1).toBeCloseTo(0.5);
    // macro: P (1 + .25)/2, R (1 + .5)/2, F1 (1 + 1/3)/2
    expect(agg.macro.precision).toBeCloseTo(0.625);
    expect(agg.macro.recall).toBeCloseTo(0.75);
    expect(agg.macro.f1).toBeCloseTo(2 / 3);
  });

  it('is all zero for no cases', () => {
    expect(aggregate([]).macro).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});
