import { computeLineFeatures } from './line-features';

describe('computeLineFeatures', () => {
  const failLines = [
    'Compiling',
    '[ERROR] Foo.java:[3,1] cannot find symbol',
    '\tat a.b.C.m(C.java:12)',
    '    at a.b.C.n (C.java:13)',
    '',
    'BUILD FAILURE',
  ];
  const f = computeLineFeatures({ failLines, passLines: ['Compiling  '] });

  it('marks markers, stack frames, blanks and lines pass.log has', () => {
    expect(f.map((x) => x.isMarker)).toEqual([false, true, false, false, false, true]);
    expect(f.map((x) => x.isStackFrame)).toEqual([false, false, true, true, false, false]);
    expect(f.map((x) => x.isBlank)).toEqual([false, false, false, false, true, false]);
    expect(f.map((x) => x.inPassLog)).toEqual([true, false, false, false, false, false]);
  });

  it('measures position, indentation and distance to markers', () => {
    expect(f.map((x) => x.distanceAfterMarker)).toEqual([Infinity, 0, 1, 2, 3, 0]);
    expect(f.map((x) => x.distanceBeforeMarker)).toEqual([1, 0, 3, 2, 1, 0]);
    expect(f.map((x) => x.indent)).toEqual([0, 0, 1, 4, 0, 0]);
    expect(f[5]).toMatchObject({ lineNumber: 6, fromEnd: 0, relativePosition: 1 });
    expect(f[0]).toMatchObject({ lineNumber: 1, fromEnd: 5, relativePosition: 0 });
  });

  it('measures the distance to the nearest marker pass.log does not have, either side', () => {
    const g = computeLineFeatures({
      failLines: ['[ERROR] old', 'x', '[ERROR] new', 'y', 'z', '[ERROR] old'],
      passLines: ['[ERROR] old'],
    });
    expect(g.map((x) => x.distanceToFreshMarker)).toEqual([2, 1, 0, 1, 2, 3]);
    expect(computeLineFeatures({ failLines: ['a'], passLines: [] })[0].distanceToFreshMarker).toBe(
      Infinity,
    );
  });
});
