import type { TelemetrySample } from '../types';
import { asciiPlot, niceStep, valueRange } from './ascii-plot';

/** A made-up descent: falling, braking at 0.5 throttle, then hovering down. */
function descent(n: number, dt = 0.02): TelemetrySample[] {
  return Array.from({ length: n }, (_, i) => {
    const t = i * dt;
    const f = i / Math.max(1, n - 1);
    return {
      t,
      x: 10 * f,
      altitude: 500 * (1 - f) ** 2,
      vx: 2 * (1 - f),
      vz: -15 * (1 - f) - 1,
      pitchDeg: 0,
      throttle: f < 0.2 ? 0 : f < 0.8 ? 0.5 : 0.3,
      fuel: 600 - 100 * f,
    };
  });
}

const ASCII = /^[\x20-\x7e\n]*$/;

describe('asciiPlot', () => {
  it('draws three labelled panels on a shared time axis', () => {
    const plot = asciiPlot(descent(3_000), { width: 60, height: 6 });
    expect(plot).toMatch(ASCII);
    expect(plot).toContain('altitude (m)');
    expect(plot).toContain('speed (m/s)  v = vertical (vz)  h = horizontal (vx)');
    expect(plot).toContain('throttle (0..1)');
    expect(plot).toContain('time (s): 0.0 to 60.0, 3000 samples');
    const lines = plot.trimEnd().split('\n');
    // 3 titles + 3 x 6 rows + 2 blank separators + axis, labels and axis title.
    expect(lines).toHaveLength(3 + 18 + 2 + 3);
    expect(lines.every((l) => l.length <= 6 + 2 + 60 + 12)).toBe(true);
    expect(lines.find((l) => l.trimStart().startsWith('500 |'))).toBeDefined();
    expect(lines.find((l) => l.trimStart().startsWith('1.00 |'))).toBeDefined();
    expect(lines.find((l) => l.trimStart().startsWith('0.00 |'))).toMatch(/^ *0.00 \|#+ *$/);
    expect(plot).toMatch(/ \+-+\+-+\+/);
    expect(plot).toMatch(/ 0 +20 +40\n/);
    expect(plot).toMatch(/v/);
    expect(plot).toMatch(/h/);
  });

  it('copes with no samples, one sample and flat series', () => {
    expect(asciiPlot([])).toBe('(no telemetry samples to plot)\n');
    const one = asciiPlot(descent(1));
    expect(one).toMatch(ASCII);
    expect(one).toContain('1 sample');
    expect(one).not.toMatch(/NaN|Infinity/);
    const flat = descent(50).map((s) => ({ ...s, altitude: 100, vx: 0, vz: 0, throttle: 0 }));
    const plot = asciiPlot(flat, { width: 20, height: 3 });
    expect(plot).not.toMatch(/NaN|Infinity/);
    expect(plot).toContain('100 |');
    expect(plot).toContain('-1.00 |');
  });

  it('ignores bad values and sorts out-of-order samples', () => {
    const samples = descent(10).reverse();
    samples[3] = { ...samples[3], altitude: NaN, t: NaN };
    const plot = asciiPlot(samples, { width: 10, height: 3 });
    expect(plot).not.toMatch(/NaN/);
    expect(plot).toContain('9 samples');
  });

  it('clamps silly sizes', () => {
    const plot = asciiPlot(descent(100), { width: -5, height: 1e6 });
    expect(plot.split('\n').length).toBeLessThan(3 * 60 + 10);
  });
});

describe('plot helpers', () => {
  it('never returns an empty range', () => {
    expect(valueRange([5, 5, 5])).toEqual([0, 5]);
    expect(valueRange([0, 0])).toEqual([-1, 1]);
    expect(valueRange([])).toEqual([0, 1]);
    expect(valueRange([-3, 2])).toEqual([-3, 2]);
  });

  it('picks 1-2-5 steps', () => {
    expect(niceStep(60, 5)).toBe(20);
    expect(niceStep(0.9, 5)).toBeCloseTo(0.2);
    expect(niceStep(0, 5)).toBe(1);
  });
});
