import type { TelemetrySample } from '../types';
import { escapeXml, svgPlot } from './svg-plot';

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

/** Checks that every tag is closed in order and attributes are quoted; returns the tag names. */
function wellFormed(svg: string): string[] {
  const body = svg.replace(/^<\?xml[^?]*\?>\s*/, '');
  const tags = body.match(/<[^>]*>/g) ?? [];
  const stack: string[] = [];
  const names: string[] = [];
  for (const tag of tags) {
    const m = /^<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(tag);
    if (!m) throw new Error(`malformed tag ${tag}`);
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (stack.pop() !== name) throw new Error(`unbalanced </${name}>`);
    } else {
      names.push(name);
      if (!selfClosing) stack.push(name);
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  // Text between tags must not hold a raw `<` or a bare `&`.
  const texts = body.split(/<[^>]*>/);
  for (const t of texts) if (/&(?!#\d+;|[a-z]+;)/.test(t)) throw new Error(`bare & in ${t}`);
  return names;
}

describe('svgPlot', () => {
  it('draws a standalone document with three panels of polylines', () => {
    const svg = svgPlot(descent(2_000), { width: 800, height: 600 });
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('width="800" height="600"');
    const names = wellFormed(svg);
    expect(names[0]).toBe('svg');
    expect(names.filter((n) => n === 'polyline')).toHaveLength(4);
    expect(svg.match(/class="panel"/g)).toHaveLength(3);
    for (const label of [
      'altitude (m)',
      'speed (m/s)',
      'throttle (0..1)',
      'time (s)',
      'vertical (vz)',
    ])
      expect(svg).toContain(label);
    const first = /points="([^"]*)"/.exec(svg)?.[1].split(' ') ?? [];
    expect(first.length).toBeGreaterThan(100);
    expect(first.length).toBeLessThanOrEqual(2 * 800 + 1);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('escapes the title', () => {
    const svg = svgPlot(descent(10), { title: 'a <b> & "c"' });
    expect(svg).toContain('a &#60;b&#62; &#38; &#34;c&#34;');
    expect(svg).not.toContain('<b>');
    wellFormed(svg);
  });

  it('copes with no samples and a single sample', () => {
    const empty = svgPlot([]);
    wellFormed(empty);
    expect(empty).toContain('no telemetry');
    expect(empty).not.toMatch(/NaN|Infinity/);
    const one = svgPlot(descent(1));
    expect(wellFormed(one).filter((n) => n === 'polyline')).toHaveLength(4);
    expect(one).toContain('<circle');
    expect(one).not.toMatch(/NaN|Infinity/);
  });

  it('draws flat series without dividing by zero', () => {
    const flat = descent(100).map((s) => ({ ...s, altitude: 5, vx: 0, vz: 0, throttle: 0.3 }));
    const svg = svgPlot(flat, { width: 1, height: 1e9 });
    wellFormed(svg);
    expect(svg).toContain('width="240" height="4000"');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('escapes XML characters', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });
});
