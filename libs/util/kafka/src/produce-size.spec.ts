import { chunkBySize } from './produce-size';

describe('chunkBySize', () => {
  const size = (s: string) => s.length;

  it('keeps order and fills each run up to the limit', () => {
    expect(chunkBySize(['aaa', 'bb', 'c', 'dddd', 'e'], size, 5)).toEqual([
      ['aaa', 'bb'],
      ['c', 'dddd'],
      ['e'],
    ]);
  });

  it('gives an item over the limit a run of its own', () => {
    expect(chunkBySize(['a', 'bbbbbbb', 'c'], size, 5)).toEqual([['a'], ['bbbbbbb'], ['c']]);
    expect(chunkBySize([], size, 5)).toEqual([]);
  });
});
