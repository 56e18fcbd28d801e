import { clipTitle } from './entries';

describe('clipTitle', () => {
  it('keeps a title that fits and cuts a long one after a whole item, with an ellipsis', () => {
    expect(clipTitle('Navigator guidance: a, b')).toBe('Navigator guidance: a, b');
    const params = Array.from({ length: 30 }, (_, i) => `parameterNumber${i}`).join(', ');
    const long = `Navigator guidance for every scenario: ${params}`;
    const clipped = clipTitle(long);
    expect(clipped.length).toBeLessThanOrEqual(200);
    expect(clipped.endsWith('…')).toBe(true);
    // The last item before the ellipsis is a whole parameter name.
    expect(clipped.slice(0, -1).split(', ').pop()).toMatch(/^parameterNumber\d+$/);
    expect(long.startsWith(clipped.slice(0, -1))).toBe(true);
  });
});
