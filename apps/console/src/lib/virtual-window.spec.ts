import { scrollToRow, virtualWindow } from './virtual-window';

describe('virtualWindow', () => {
  it('renders only the rows in view plus the overscan, at their offset', () => {
    const w = virtualWindow(10_000, 40, 40 * 5_000, 400, 5);
    expect(w).toEqual({ start: 4_995, end: 5_016, offset: 4_995 * 40, total: 400_000 });
    expect(w.end - w.start).toBeLessThan(30);
  });

  it('clamps at both ends of the list', () => {
    expect(virtualWindow(3, 40, 0, 400, 5)).toEqual({ start: 0, end: 3, offset: 0, total: 120 });
    expect(virtualWindow(100, 40, 1e9, 400, 2)).toMatchObject({ start: 97, end: 100 });
    expect(virtualWindow(0, 40, 0, 400)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });
});

describe('scrollToRow', () => {
  it('scrolls up or down just enough to show the row, and not at all when it shows', () => {
    expect(scrollToRow(10, 40, 800, 400)).toBe(400);
    expect(scrollToRow(50, 40, 0, 400)).toBe(50 * 40 + 40 - 400);
    expect(scrollToRow(3, 40, 0, 400)).toBe(0);
  });
});
