import { percent } from './percent';

describe('percent', () => {
  it('prints a share as whole percent, rounded', () => {
    expect(percent(0)).toBe('0 %');
    expect(percent(0.8333)).toBe('83 %');
    expect(percent(0.995)).toBe('100 %');
    expect(percent(1)).toBe('100 %');
  });
});
