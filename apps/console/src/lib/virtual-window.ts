/**
 * Which rows of a fixed-row-height list to render: only those in view plus `overscan` either
 * side, so a 10,000-event timeline keeps a few dozen rows in the DOM.
 */
export interface VirtualWindow {
  start: number;
  /** Exclusive. */
  end: number;
  /** Offset of row `start` from the top of the list, in pixels. */
  offset: number;
  /** Height of the whole list, in pixels. */
  total: number;
}

export function virtualWindow(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewport: number,
  overscan = 8,
): VirtualWindow {
  const total = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count - 1, first) - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** The scrollTop that brings row `index` into view (unchanged when it already is). */
export function scrollToRow(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewport: number,
): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return scrollTop;
}
