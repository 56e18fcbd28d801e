import { command, COMMANDER_DEFAULTS } from './commander';
import { assessSite, DETECTOR_DEFAULTS } from './detector';
import type { DetectorReport } from './lunar-team';
import { navigate, nearestThrottle, NAVIGATOR_DEFAULTS } from './navigator';
import { compileRoleRules, evaluateRoleRules } from './role-rules';
import { NAVIGATOR_RULES } from './navigator';

function aReport(overrides: Partial<DetectorReport> = {}): DetectorReport {
  return {
    altitude: 300,
    vx: 0,
    vz: -10,
    x: 0,
    fuel: 500,
    mass: 7_100,
    pitchDeg: 0,
    site: { x: 0, safe: true, slopeDeg: 1, boulderHeight: 0 },
    candidates: [0, 10],
    scanned: false,
    ...overrides,
  };
}

describe('the day-one Navigator', () => {
  it('asks only for throttles the engine accepts', () => {
    expect(nearestThrottle(-1)).toBe(0.1);
    expect(nearestThrottle(0.05)).toBe(0.1);
    expect(nearestThrottle(0.42)).toBe(0.42);
    expect(nearestThrottle(0.7)).toBe(0.6);
    expect(nearestThrottle(0.85)).toBe(1);
    expect(nearestThrottle(3)).toBe(1);
  });

  it('brakes harder when falling faster than its schedule, and tilts toward the site', () => {
    const slow = navigate(aReport({ vz: -5 }), { phase: 'braking', siteX: 0 }, NAVIGATOR_DEFAULTS);
    const fast = navigate(aReport({ vz: -60 }), { phase: 'braking', siteX: 0 }, NAVIGATOR_DEFAULTS);
    expect(fast.throttle).toBeGreaterThan(slow.throttle);
    const ahead = navigate(
      aReport({ x: 0 }),
      { phase: 'approach', siteX: 500 },
      NAVIGATOR_DEFAULTS,
    );
    expect(ahead.pitchDeg).toBeGreaterThan(0);
    expect(ahead.pitchDeg).toBeLessThanOrEqual(NAVIGATOR_DEFAULTS.maxTiltDeg);
  });
});

describe('the day-one Commander', () => {
  it('changes phase by altitude and retargets away from an unsafe site', () => {
    expect(
      command(aReport({ altitude: 900 }), { phase: 'approach', siteX: 0 }, 600, COMMANDER_DEFAULTS)
        .orders.phase,
    ).toBe('approach');
    expect(
      command(aReport({ altitude: 40 }), { phase: 'braking', siteX: 0 }, 600, COMMANDER_DEFAULTS)
        .orders.phase,
    ).toBe('terminal');
    const unsafe = aReport({
      site: { x: 0, safe: false, slopeDeg: 3, boulderHeight: 1.5 },
      candidates: [20, -30],
    });
    const d = command(unsafe, { phase: 'braking', siteX: 0 }, 600, COMMANDER_DEFAULTS);
    expect(d.orders.siteX).toBe(20);
    expect(d.retarget).toMatchObject({ from: 0, to: 20 });
    expect(d.retarget!.reason).toContain('boulder 1.5 m');
  });

  it('aborts when the fuel is nearly gone high above the ground, and a rule can force a phase', () => {
    expect(
      command(
        aReport({ fuel: 5, altitude: 200 }),
        { phase: 'braking', siteX: 0 },
        600,
        COMMANDER_DEFAULTS,
      ).orders.phase,
    ).toBe('abort');
    const forced = command(
      aReport({ altitude: 900 }),
      { phase: 'approach', siteX: 0 },
      600,
      COMMANDER_DEFAULTS,
      [{ entryId: 'ent_1', action: 'set_phase', params: { phase: 'braking' } }],
    );
    expect(forced.orders.phase).toBe('braking');
  });
});

describe('the day-one Detector', () => {
  it('judges a site by slope and by the boulders the scan shows', () => {
    const flat = { t: 0, x0: -50, spacing: 5, heights: Array(21).fill(0), boulders: [] };
    expect(assessSite(flat, 0, DETECTOR_DEFAULTS)).toMatchObject({ safe: true, slopeDeg: 0 });
    const rock = { ...flat, boulders: [{ x: 3, height: 1.2 }] };
    expect(assessSite(rock, 0, DETECTOR_DEFAULTS)).toMatchObject({
      safe: false,
      boulderHeight: 1.2,
    });
    const steep = { ...flat, heights: flat.heights.map((_, i) => i * 2) };
    expect(assessSite(steep, 0, DETECTOR_DEFAULTS).safe).toBe(false);
    expect(assessSite(flat, 500, DETECTOR_DEFAULTS).safe).toBeNull();
  });
});

describe('role rules', () => {
  it('sets parameters for the step a condition holds, later rules winning', () => {
    const compiled = compileRoleRules(NAVIGATOR_RULES, [
      {
        entryId: 'a',
        title: 'a',
        when: { feature: 'altitude', op: 'lt', value: 50 },
        then: { action: 'set', params: { maxTiltDeg: 20 } },
      },
      {
        entryId: 'b',
        title: 'b',
        when: { feature: 'altitude', op: 'lt', value: 10 },
        then: { action: 'set', params: { maxTiltDeg: 5 } },
      },
      {
        entryId: 'c',
        title: 'c',
        when: { feature: 'altitude', op: 'lt', value: 10 },
        then: { action: 'set', params: { warp: 9 } },
      },
    ]);
    expect(compiled.skipped).toEqual([
      { entryId: 'c', reason: expect.stringContaining('no parameter "warp"') },
    ]);
    expect(
      evaluateRoleRules(compiled, { altitude: 100 }, NAVIGATOR_DEFAULTS).params.maxTiltDeg,
    ).toBe(30);
    expect(
      evaluateRoleRules(compiled, { altitude: 30 }, NAVIGATOR_DEFAULTS).params.maxTiltDeg,
    ).toBe(20);
    const low = evaluateRoleRules(compiled, { altitude: 5 }, NAVIGATOR_DEFAULTS);
    expect(low.params.maxTiltDeg).toBe(5);
    expect(low.applied.map((a) => a.entryId)).toEqual(['a', 'b']);
  });
});

describe('late-ignition guidance', () => {
  const late = { ...NAVIGATOR_DEFAULTS, guidanceLaw: 1, engineOffBelow: 0.05 };

  it('coasts with the engine off while the braking curve is far, and brakes hard once it is reached', () => {
    const high = navigate(
      aReport({ altitude: 900, vz: -10 }),
      { phase: 'approach', siteX: 0 },
      late,
    );
    expect(high.throttle).toBe(0);
    // Falling at 60 m/s 300 m up needs about 6 m/s^2: most of what the engine gives.
    const low = navigate(aReport({ altitude: 300, vz: -60 }), { phase: 'braking', siteX: 0 }, late);
    expect(low.throttle).toBe(1);
  });

  it('leaves the day-one law unchanged when off', () => {
    const report = aReport({ altitude: 900, vz: -10 });
    const day1 = navigate(report, { phase: 'approach', siteX: 0 }, NAVIGATOR_DEFAULTS);
    expect(day1.throttle).toBeGreaterThanOrEqual(0.1);
    expect(
      navigate(
        report,
        { phase: 'approach', siteX: 0 },
        { ...NAVIGATOR_DEFAULTS, guidanceLaw: 0.2 },
      ),
    ).toEqual(day1);
  });
});

describe('predictive late-ignition guidance, one decision', () => {
  const late = { ...NAVIGATOR_DEFAULTS, guidanceLaw: 1, engineOffBelow: 0.05 };
  const at = (altitude: number, vz: number, params = late, period = 1) =>
    navigate(aReport({ altitude, vz }), { phase: 'braking', siteX: 0 }, params, [], period);

  it('lights the engine one decision period before the braking curve would be crossed', () => {
    // Stopping from 40 m/s at 95 % of full thrust's net 4.7 m/s^2 (7,100 kg) takes ~178 m.
    expect(at(330, -40).throttle).toBe(0);
    // Just above the curve a throttled second keeps it reachable; below it, full thrust.
    expect(at(215, -40).throttle).toBeGreaterThan(0);
    expect(at(215, -40).throttle).toBeLessThan(1);
    expect(at(200, -40).throttle).toBe(1);
    // A longer period between decisions means a coast holds longer: light earlier.
    expect(at(260, -40).throttle).toBe(0);
    expect(at(260, -40, late, 2).throttle).toBeGreaterThan(0);
  });

  it('turns upright before the vertical burn instead of burning while it turns', () => {
    // Braking sideways at 60 deg (site 800 m ahead at 40 m/s), falling at 40 m/s: the slew back
    // to upright takes ~6 s at 10 deg/s, and the braking curve is flown upright.
    const wide = { ...late, engineOffBelow: 0, maxTiltDeg: 61 };
    const tilted = (altitude: number) =>
      navigate(
        aReport({ altitude, vz: -40, vx: 40, pitchDeg: -60 }),
        { phase: 'braking', siteX: 800 },
        wide,
      );
    // High up the sideways braking keeps the tilt at the least throttle.
    expect(tilted(900)).toEqual({ throttle: 0.1, pitchDeg: expect.any(Number) });
    expect(tilted(900).pitchDeg).toBeLessThan(-55);
    // ~580 m up, coasting on while tilted would leave the curve out of reach once upright: it
    // turns upright now, still at the least throttle, rather than lighting up at 60 deg later.
    expect(tilted(580)).toEqual({ throttle: 0.1, pitchDeg: 0 });
  });

  it('holds the final descent rate below the flare with a throttled engine', () => {
    const cmd = at(3, -late.finalDescentRate);
    expect(cmd.throttle).toBeGreaterThanOrEqual(0.1);
    expect(cmd.throttle).toBeLessThanOrEqual(0.6);
    // Slower than the final rate: coast to pick it up.
    expect(at(3, -0.5).throttle).toBe(0);
  });

  it('below the flare, holds its altitude while farther from the site than flareHoldDistance', () => {
    const low = (siteX: number, params: typeof late) =>
      navigate(aReport({ altitude: 3, vz: -0.5 }), { phase: 'terminal', siteX }, params);
    // Off (the law's default): a site moved 6 m away is passed by at the final descent rate.
    expect(low(6, late).throttle).toBe(0);
    const hold = { ...late, flareHoldDistance: 3 };
    // 6 m off: stop the descent (more than the hover thrust) and tilt toward the site.
    const held = low(6, hold);
    expect(held.throttle * 45_000).toBeGreaterThan(7_100 * 1.62);
    expect(held.pitchDeg).toBeGreaterThan(0);
    // Within 3 m: descend as before.
    expect(low(2, hold).throttle).toBe(0);
  });
});
