import { describeViolation, formatTouchdownReport } from './report-format';
import type { TouchdownReport } from './types';

const safe: TouchdownReport = {
  verdict: 'safe',
  violations: [],
  t: 62.4,
  x: 12.3,
  verticalSpeed: -1.84,
  horizontalSpeed: 0.42,
  tiltDeg: 1.2,
  slopeDeg: 2.1,
  boulderHeight: 0,
  fuelUsed: 312,
  fuelLeft: 288,
  distanceToTarget: 12.3,
};

const hard: TouchdownReport = {
  ...safe,
  verdict: 'hard',
  violations: ['vertical_speed', 'boulder', 'slope'],
  verticalSpeed: -4.2,
  slopeDeg: 14,
  boulderHeight: 1.5,
};

describe('formatTouchdownReport', () => {
  it('reports a safe touchdown against the limits', () => {
    const text = formatTouchdownReport(safe, { scenarioId: 'easy-03', fuelLimit: 250 });
    expect(text).toMatch(/^Touchdown \(easy-03\): SAFE at t = 62\.4 s, x = 12\.3 m\n/);
    expect(text).toContain('all gear limits respected');
    expect(text).toContain('vertical speed    1.8 m/s (limit 3.0 m/s)\n');
    expect(text).toContain('horizontal speed  0.4 m/s (limit 1.2 m/s)\n');
    expect(text).toContain('tilt              1.2 deg (limit 6.0 deg)\n');
    expect(text).toContain('ground slope      2.1 deg (limit 12.0 deg)\n');
    expect(text).toContain('none under the footprint (clearance 0.60 m)');
    expect(text).toContain('312.0 kg used, 288.0 kg left');
    expect(text).toContain('312.0 / 250.0 kg (vertical fuel-optimal) = ×1.25');
    expect(text).toContain('distance to site  12.3 m');
    expect(text).not.toContain('OVER');
  });

  it('reports each violation in words', () => {
    const text = formatTouchdownReport(hard);
    expect(text).toMatch(/^Touchdown: HARD at t = 62\.4 s/);
    expect(text).toContain(
      'violations: vertical speed 4.2 m/s > 3.0 m/s limit; boulder 1.50 m under the footprint > 0.60 m clearance; ground slope 14.0 deg > 12.0 deg limit',
    );
    expect(text).toContain('vertical speed    4.2 m/s (limit 3.0 m/s)  OVER');
    expect(text).toContain('tallest boulder   1.50 m (clearance 0.60 m)  OVER');
    expect(text).not.toContain('fuel vs limit');
    expect(formatTouchdownReport(hard, { fuelLimit: null })).not.toContain('fuel vs limit');
    expect(formatTouchdownReport(hard, { fuelLimit: 0 })).not.toMatch(/×|Infinity|NaN/);
  });

  it('names every verdict and violation', () => {
    const cases: Array<[TouchdownReport['verdict'], string]> = [
      ['tipped', 'TIPPED'],
      ['hazard', 'HAZARD'],
      ['crashed', 'CRASHED'],
      ['out_of_fuel', 'OUT OF FUEL'],
    ];
    for (const [verdict, word] of cases)
      expect(formatTouchdownReport({ ...hard, verdict })).toContain(`: ${word} at`);
    expect(describeViolation('horizontal_speed', { ...safe, horizontalSpeed: 2 })).toBe(
      'horizontal speed 2.0 m/s > 1.2 m/s limit',
    );
    expect(describeViolation('tilt', { ...safe, tiltDeg: -8 })).toBe(
      'tilt 8.0 deg > 6.0 deg limit',
    );
    expect(describeViolation('out_of_fuel', { ...safe, fuelLeft: 0 })).toMatch(/ran out/);
  });
});
