import type { TelemetrySample } from '../types';
import { axisLabel, niceStep, timeOrdered, valueRange } from './ascii-plot';

export interface SvgPlotOptions {
  /** Shown above the panels (escaped); default `Lunar lander telemetry`. */
  title?: string;
  /** Size of the whole image in pixels, default 720 x 540; clamped to 240..4000 and 240..4000. */
  width?: number;
  height?: number;
}

interface Series {
  name: string;
  colour: string;
  value: (s: TelemetrySample) => number;
  /** Drawn as steps (the engine holds a setting until the next command). */
  steps?: boolean;
}

interface Panel {
  title: string;
  series: Series[];
  range?: [number, number];
}

const PANELS: Panel[] = [
  {
    title: 'altitude (m)',
    series: [{ name: 'altitude', colour: '#1f77b4', value: (s) => s.altitude }],
  },
  {
    title: 'speed (m/s)',
    series: [
      { name: 'vertical (vz)', colour: '#d62728', value: (s) => s.vz },
      { name: 'horizontal (vx)', colour: '#2ca02c', value: (s) => s.vx },
    ],
  },
  {
    title: 'throttle (0..1)',
    series: [{ name: 'throttle', colour: '#ff7f0e', value: (s) => s.throttle, steps: true }],
    range: [0, 1],
  },
];

const MARGIN = { left: 64, right: 20, top: 44, bottom: 48, gap: 36 };

/** Text safe inside an XML element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const clamp = (v: number | undefined, fallback: number, lo: number, hi: number) =>
  v !== undefined && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : fallback;
const px = (v: number) => (Math.round(v * 10) / 10).toString();

function text(x: number, y: number, body: string, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(body)}</text>`;
}

/** At most about two samples per horizontal pixel, always keeping the first and the last. */
function thin(samples: TelemetrySample[], pixels: number): TelemetrySample[] {
  const every = Math.max(1, Math.ceil(samples.length / Math.max(1, 2 * pixels)));
  if (every === 1) return samples;
  const kept = samples.filter((_, i) => i % every === 0);
  if (kept[kept.length - 1] !== samples[samples.length - 1]) kept.push(samples[samples.length - 1]);
  return kept;
}

/**
 * Telemetry as a standalone SVG document: altitude, vertical and horizontal speed, and throttle
 * in three stacked panels over one time axis, each a polyline per series with a labelled y-range.
 */
export function svgPlot(samples: readonly TelemetrySample[], opts: SvgPlotOptions = {}): string {
  const width = clamp(opts.width, 720, 240, 4000);
  const height = clamp(opts.height, 540, 240, 4000);
  const title = opts.title ?? 'Lunar lander telemetry';
  const ordered = timeOrdered(samples);
  const plotW = width - MARGIN.left - MARGIN.right;
  const panelH = (height - MARGIN.top - MARGIN.bottom - 2 * MARGIN.gap) / 3;
  const points = thin(ordered, plotW);
  const t0 = ordered[0]?.t ?? 0;
  const t1 = ordered[ordered.length - 1]?.t ?? 0;
  const span = t1 - t0;
  const xOf = (t: number) => MARGIN.left + (span > 0 ? ((t - t0) / span) * plotW : 0);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    text(MARGIN.left, 24, title, 'font-size="16" font-weight="bold"'),
  ];

  PANELS.forEach((panel, i) => {
    const top = MARGIN.top + i * (panelH + MARGIN.gap);
    const values = points.flatMap((s) => panel.series.map((series) => series.value(s)));
    const [lo, hi] = valueRange(values, panel.range);
    const yOf = (v: number) => top + ((hi - v) / (hi - lo)) * panelH;
    out.push(`<g class="panel">`);
    out.push(text(MARGIN.left, top - 6, panel.title, 'font-weight="bold"'));
    out.push(
      `<rect x="${MARGIN.left}" y="${px(top)}" width="${plotW}" height="${px(panelH)}" fill="none" stroke="#999999"/>`,
    );
    out.push(text(MARGIN.left - 6, top + 10, axisLabel(hi, hi - lo), 'text-anchor="end"'));
    out.push(text(MARGIN.left - 6, top + panelH, axisLabel(lo, hi - lo), 'text-anchor="end"'));
    if (lo < 0 && hi > 0) {
      const y = px(yOf(0));
      out.push(
        `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#cccccc" stroke-dasharray="4 3"/>`,
      );
      out.push(text(MARGIN.left - 6, yOf(0) + 4, '0', 'text-anchor="end"'));
    }
    panel.series.forEach((series, k) => {
      const coords: string[] = [];
      let previous: number | undefined;
      for (const s of points) {
        const v = series.value(s);
        if (!Number.isFinite(v)) continue;
        const x = px(xOf(s.t));
        if (series.steps && previous !== undefined) coords.push(`${x},${px(yOf(previous))}`);
        coords.push(`${x},${px(yOf(v))}`);
        previous = v;
      }
      out.push(
        `<polyline fill="none" stroke="${series.colour}" stroke-width="1.5" points="${coords.join(' ')}"><title>${escapeXml(series.name)}</title></polyline>`,
      );
      if (coords.length === 1) {
        const [x, y] = coords[0].split(',');
        out.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${series.colour}"/>`);
      }
      if (panel.series.length > 1) {
        const lx = MARGIN.left + plotW - 130 * (panel.series.length - k);
        out.push(
          `<line x1="${lx}" y1="${px(top - 10)}" x2="${lx + 16}" y2="${px(top - 10)}" stroke="${series.colour}" stroke-width="2"/>`,
        );
        out.push(text(lx + 20, top - 6, series.name));
      }
    });
    if (points.length === 0)
      out.push(
        text(
          MARGIN.left + plotW / 2,
          top + panelH / 2,
          'no telemetry',
          'text-anchor="middle" fill="#999999"',
        ),
      );
    out.push('</g>');
  });

  const axisY = MARGIN.top + 3 * panelH + 2 * MARGIN.gap;
  out.push('<g class="time-axis">');
  if (span > 0) {
    const step = niceStep(span, Math.max(1, Math.floor(plotW / 80)));
    const digits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
    for (let k = Math.ceil(t0 / step - 1e-9); k <= Math.floor(t1 / step + 1e-9); k++) {
      const x = px(xOf(k * step));
      out.push(
        `<line x1="${x}" y1="${px(axisY)}" x2="${x}" y2="${px(axisY + 5)}" stroke="#999999"/>`,
      );
      out.push(text(xOf(k * step), axisY + 18, (k * step).toFixed(digits), 'text-anchor="middle"'));
    }
  } else if (points.length > 0)
    out.push(text(MARGIN.left, axisY + 18, axisLabel(t0, 1), 'text-anchor="middle"'));
  out.push(text(MARGIN.left + plotW / 2, axisY + 38, 'time (s)', 'text-anchor="middle"'));
  out.push('</g>', '</svg>');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.join('\n')}\n`;
}
