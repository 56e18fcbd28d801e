/** Lines `start` to `end` of a log, 1-based and inclusive. */
export interface LineRange {
  start: number;
  end: number;
}

/** The distinct line numbers the ranges cover, ascending. */
export function rangesToLines(ranges: readonly LineRange[]): number[] {
  const lines = new Set<number>();
  for (const r of ranges) for (let n = r.start; n <= r.end; n++) lines.add(n);
  return [...lines].sort((a, b) => a - b);
}

/**
 * Groups line numbers into ranges; lines at most `gap` apart join one range (gap 0 joins only
 * consecutive lines, gap 1 bridges a single line between them).
 */
export function linesToRanges(lines: Iterable<number>, gap = 0): LineRange[] {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const ranges: LineRange[] = [];
  for (const n of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && n - last.end <= gap + 1) last.end = n;
    else ranges.push({ start: n, end: n });
  }
  return ranges;
}

/** Sorted, non-overlapping ranges covering the same lines. */
export function mergeRanges(ranges: readonly LineRange[]): LineRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: LineRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else merged.push({ start: r.start, end: r.end });
  }
  return merged;
}

export function countLines(ranges: readonly LineRange[]): number {
  return mergeRanges(ranges).reduce((sum, r) => sum + r.end - r.start + 1, 0);
}

export function formatRange(r: LineRange): string {
  return r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`;
}
