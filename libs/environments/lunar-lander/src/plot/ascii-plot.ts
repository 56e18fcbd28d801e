import type { TelemetrySample } from '../types';

export interface AsciiPlotOptions {
  /** Plot columns (time axis), default 72; clamped to 10..400. */
  width?: number;
  /** Rows of each of the three panels, default 8; clamped to 3..60. */
  height?: number;
}

interface Series {
  glyph: string;
  value: (s: TelemetrySample) => number;
}

interface Panel {
  title: string;
  series: Series[];
  /** A fixed y-range; otherwise the data's range, widened to include 0. */
  range?: [number, number];
}

/** Where two series of one panel fall on the same cell. */
const OVERLAP = 'X';

const PANELS: Panel[] = [
  {
    title: 'altitude (m)  * = altitude above the ground',
    series: [{ glyph: '*', value: (s) => s.altitude }],
  },
  {
    title: `speed (m/s)  v = vertical (vz)  h = horizontal (vx)  ${OVERLAP} = both`,
    series: [
      { glyph: 'v', value: (s) => s.vz },
      { glyph: 'h', value: (s) => s.vx },
    ],
  },
  {
    title: 'throttle (0..1)  # = engine setting',
    series: [{ glyph: '#', value: (s) => s.throttle }],
    range: [0, 1],
  },
];

const clampInt = (v: number, lo: number, hi: number) =>
  Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : lo;

/** Sorted by time, without samples whose time is not a finite number. */
export function timeOrdered(samples: readonly TelemetrySample[]): TelemetrySample[] {
  const kept = samples.filter((s) => Number.isFinite(s.t));
  return kept.every((s, i) => i === 0 || kept[i - 1].t <= s.t)
    ? kept
    : [...kept].sort((a, b) => a.t - b.t);
}

/**
 * One sample per column: the last sample at or before the column's time (sample and hold, as the
 * engine holds a command). When all samples share one time only the first column is filled.
 */
function resample(samples: TelemetrySample[], columns: number): Array<TelemetrySample | null> {
  const t0 = samples[0].t;
  const span = samples[samples.length - 1].t - t0;
  let j = 0;
  return Array.from({ length: columns }, (_, c) => {
    if (span <= 0) return c === 0 ? samples[samples.length - 1] : null;
    const t = t0 + (c * span) / (columns - 1);
    while (j + 1 < samples.length && samples[j + 1].t <= t + span * 1e-12) j++;
    return samples[j];
  });
}

/** A y-range that is never empty: flat data is padded, and 0 is included unless fixed. */
export function valueRange(values: readonly number[], fixed?: [number, number]): [number, number] {
  if (fixed) return fixed;
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(0, ...finite);
  let hi = Math.max(0, ...finite);
  if (hi - lo < 1e-9) {
    const pad = Math.max(Math.abs(hi) * 0.1, 1);
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

/** A number for an axis label, with decimals suited to the span it sits in. */
export function axisLabel(v: number, span: number): string {
  const digits = span >= 100 ? 0 : span >= 10 ? 1 : 2;
  const text = v.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A step of 1, 2 or 5 times a power of ten, about `span / count`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

function panelRange(panel: Panel, columns: Array<TelemetrySample | null>): [number, number] {
  const values = columns.flatMap((s) => (s ? panel.series.map((series) => series.value(s)) : []));
  return valueRange(values, panel.range);
}

function drawPanel(
  panel: Panel,
  [lo, hi]: [number, number],
  columns: Array<TelemetrySample | null>,
  rows: number,
  gutter: number,
): string[] {
  const grid = Array.from({ length: rows }, () => Array<string>(columns.length).fill(' '));
  const rowOf = (v: number) => Math.round(((hi - v) / (hi - lo)) * (rows - 1));
  const zero = lo < 0 && hi > 0 ? rowOf(0) : -1;
  if (zero >= 0) grid[zero].fill('.');
  columns.forEach((s, c) => {
    if (!s) return;
    for (const series of panel.series) {
      const v = series.value(s);
      if (!Number.isFinite(v)) continue;
      const r = Math.min(rows - 1, Math.max(0, rowOf(v)));
      const cell = grid[r][c];
      grid[r][c] = cell === ' ' || cell === '.' || cell === series.glyph ? series.glyph : OVERLAP;
    }
  });
  const labels = new Map<number, string>([
    [0, axisLabel(hi, hi - lo)],
    [rows - 1, axisLabel(lo, hi - lo)],
  ]);
  if (zero > 0 && zero < rows - 1) labels.set(zero, '0');
  return [
    panel.title,
    ...grid.map((cells, r) =>
      `${(labels.get(r) ?? '').padStart(gutter)} |${cells.join('')}`.trimEnd(),
    ),
  ];
}

function timeAxis(t0: number, t1: number, width: number, gutter: number): string[] {
  const span = t1 - t0;
  const axis = Array<string>(width).fill('-');
  const labels = Array<string>(width + 12).fill(' ');
  const place = (col: number, text: string, lastEnd: number): number => {
    const start = Math.max(
      0,
      Math.min(col - Math.floor(text.length / 2), width + 12 - text.length),
    );
    if (start <= lastEnd) return lastEnd;
    for (let i = 0; i < text.length; i++) labels[start + i] = text[i];
    return start + text.length;
  };
  let end = -1;
  if (span > 0) {
    const step = niceStep(span, Math.max(1, Math.floor(width / 12)));
    const digits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
    const last = Math.floor(t1 / step + 1e-9);
    for (let k = Math.ceil(t0 / step - 1e-9); k <= last; k++) {
      const col = Math.min(
        width - 1,
        Math.max(0, Math.round(((k * step - t0) / span) * (width - 1))),
      );
      if (col > 0) axis[col] = '+';
      end = place(col, (k * step).toFixed(digits), end);
    }
  } else {
    place(0, axisLabel(t0, 1), end);
  }
  return [
    `${' '.repeat(gutter)} +${axis.join('')}`,
    `${' '.repeat(gutter)}  ${labels.join('')}`.trimEnd(),
    `${' '.repeat(gutter)}  time (s)`,
  ];
}

/**
 * Telemetry as three stacked plain-ASCII panels on one time axis: altitude, vertical and
 * horizontal speed, throttle. Samples are resampled to the width (sample and hold); flat series,
 * a single sample and thousands of samples are all drawn; no samples gives a one-line note.
 */
export function asciiPlot(
  samples: readonly TelemetrySample[],
  opts: AsciiPlotOptions = {},
): string {
  const width = clampInt(opts.width ?? 72, 10, 400);
  const rows = clampInt(opts.height ?? 8, 3, 60);
  const ordered = timeOrdered(samples);
  if (ordered.length === 0) return '(no telemetry samples to plot)\n';
  const columns = resample(ordered, width);
  const t0 = ordered[0].t;
  const t1 = ordered[ordered.length - 1].t;
  const ranges = PANELS.map((panel) => panelRange(panel, columns));
  const gutter = Math.max(
    6,
    ...ranges.flat().map((v, i) => axisLabel(v, ranges[i >> 1][1] - ranges[i >> 1][0]).length),
  );
  const lines = PANELS.flatMap((panel, i) => [
    ...(i > 0 ? [''] : []),
    ...drawPanel(panel, ranges[i], columns, rows, gutter),
  ]);
  lines.push(...timeAxis(t0, t1, width, gutter));
  const n = ordered.length;
  lines[lines.length - 1] +=
    `: ${axisLabel(t0, t1 - t0)} to ${axisLabel(t1, t1 - t0)}, ${n} sample${n === 1 ? '' : 's'}`;
  return `${lines.join('\n')}\n`;
}
