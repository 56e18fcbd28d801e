import { command, COMMANDER_DEFAULTS } from './commander';
import { assessSite, DETECTOR_DEFAULTS, withClearance } from './detector';
import type { TerrainScan } from '../types';
import type { DetectorReport } from './lunar-team';
import {
  arrivalSeconds,
  navigate,
  nearestThrottle,
  NAVIGATOR_DEFAULTS,
  sidewaysSeconds,
} from './navigator';
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

  it("says how far a touchdown may miss the site before a boulder's edge reaches the footprint", () => {
    const flat: TerrainScan = {
      t: 0,
      x0: -50,
      spacing: 5,
      heights: Array(21).fill(0),
      boulders: [],
    };
    const clear = (scan: TerrainScan, x = 0) =>
      withClearance(scan, assessSite(scan, x, DETECTOR_DEFAULTS), DETECTOR_DEFAULTS).clearance;
    // Open ground: as far as the scan reaches.
    expect(clear(flat)).toBe(50);
    // A 1.2 m boulder 8 m away: 8 - 4.7 (footprint) - 0.6 (its radius) = 2.7 m; the nearer counts.
    expect(clear({ ...flat, boulders: [{ x: 8, height: 1.2 }] })).toBeCloseTo(2.7, 6);
    expect(
      clear({
        ...flat,
        boulders: [
          { x: -20, height: 2 },
          { x: 8, height: 1.2 },
        ],
      }),
    ).toBeCloseTo(2.7, 6);
    // Boulders the gear clears do not count; one already under the footprint leaves none.
    expect(clear({ ...flat, boulders: [{ x: 6, height: 0.5 }] })).toBe(50);
    expect(clear({ ...flat, boulders: [{ x: 3, height: 1.2 }] })).toBe(0);
    // Not covered by the scan: no clearance stated.
    expect(clear(flat, 500)).toBeUndefined();
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

  it('with a lagging engine, lights as much earlier as the engine needs to spool up', () => {
    const lagging = (altitude: number, level: number, lagSeconds = 2) =>
      navigate(
        aReport({ altitude, vz: -40, engine: { level, lagSeconds } }),
        { phase: 'braking', siteX: 0 },
        late,
        [],
        1,
      ).throttle;
    // Cold, a 2 s lag costs ~2 s of coasting at 40 m/s before full thrust: lit ~80 m higher.
    expect(at(300, -40).throttle).toBe(0);
    expect(lagging(300, 0)).toBe(1);
    expect(lagging(360, 0)).toBe(0);
    // Already at full thrust there is nothing to spool up (and thrust cut now dies away slowly).
    expect(lagging(300, 1)).toBe(0);
    // A lag of a millisecond flies as the prompt engine does.
    for (const altitude of [330, 215, 200])
      expect(lagging(altitude, 0, 0.001)).toBe(at(altitude, -40).throttle);
  });

  it('turns upright before the vertical burn instead of burning while it turns', () => {
    // Braking sideways at 60 deg (site 300 m ahead at 40 m/s, ~11 s of sideways approach left),
    // falling at 40 m/s: the slew back to upright takes ~6 s at 10 deg/s, and the braking curve
    // is flown upright.
    const wide = { ...late, engineOffBelow: 0, maxTiltDeg: 61 };
    const tilted = (altitude: number) =>
      navigate(
        aReport({ altitude, vz: -40, vx: 40, pitchDeg: -60 }),
        { phase: 'braking', siteX: 300 },
        wide,
      );
    // High up the sideways braking keeps the tilt at the least throttle.
    expect(tilted(900)).toEqual({ throttle: 0.1, pitchDeg: expect.any(Number) });
    expect(tilted(900).pitchDeg).toBeLessThan(-55);
    // ~580 m up, coasting on while tilted would leave the curve out of reach once upright: it
    // turns upright now, still at the least throttle, rather than lighting up at 60 deg later.
    expect(tilted(580)).toEqual({ throttle: 0.1, pitchDeg: 0 });
  });

  it('does not get down to the flare before the sideways approach to the site can be flown', () => {
    // 600 m up falling at 30 m/s, 20 m/s sideways: coasting down and braking late reaches the
    // flare in ~20 s; a site 200 m ahead needs ~13 s (coasting there, stopping within 30 deg).
    const toward = (siteX: number) =>
      navigate(aReport({ altitude: 600, vz: -30, vx: 20 }), { phase: 'braking', siteX }, late);
    expect(toward(200).throttle).toBe(0);
    // A site 2 km ahead needs ~100 s more sideways: it slows the descent instead of coasting.
    expect(toward(2_000).throttle).toBeGreaterThan(0.1);
  });

  it('times the sideways approach and the descent to the flare', () => {
    // 200 m at 20 m/s (10 s), then stopping from 20 m/s at 2 m/s^2 counted as half its 10 s.
    expect(sidewaysSeconds(aReport({ x: 0, vx: 20 }), 200, 2)).toBeCloseTo(15);
    // Heading away from the site, or already within the gear's sideways limit: nothing to wait for.
    expect(sidewaysSeconds(aReport({ x: 0, vx: -20 }), 200, 2)).toBe(0);
    expect(sidewaysSeconds(aReport({ x: 0, vx: 1 }), 200, 2)).toBe(0);
    // 100 m above the flare at 20 m/s, braking at 2 m/s^2 to 2 m/s needs 99 m: 0.05 s + 9 s.
    expect(arrivalSeconds(100, -20, 2, 2)).toBeCloseTo(9.05);
    // Already slower than the final rate: the gap at the final rate.
    expect(arrivalSeconds(10, -1, 2, 2)).toBeCloseTo(5);
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
    // Holding or not, never tilted beyond the gear's touchdown limit (6 deg) that low.
    expect(low(6, { ...hold, terminalMaxTiltDeg: 20 }).pitchDeg).toBeLessThanOrEqual(6);
  });

  it('above the flare, tilts no further than it can turn back upright from before touchdown', () => {
    // Rushing 1.3 m/s sideways at a tight site 1 m ahead: the speed loop wants a hard lean.
    const lean = (altitude: number, vz: number) =>
      navigate(
        aReport({
          altitude,
          vz,
          vx: 1.3,
          site: { x: 1, safe: true, slopeDeg: 0, boulderHeight: 0, clearance: 0 },
        }),
        { phase: 'terminal', siteX: 1 },
        { ...late, terminalMaxTiltDeg: 15 },
      ).pitchDeg;
    // 6 m up at 2.8 m/s, about 2.5 s from the ground: the slew back (10 deg/s) must fit in it.
    expect(Math.abs(lean(6, -2.8))).toBeLessThan(10);
    // 40 m up there is time to lean the whole 15 deg and turn back.
    expect(Math.abs(lean(40, -2.8))).toBeGreaterThan(14);
  });

  it('heads for a site squeezed between boulders in the time left, not for one on open ground', () => {
    // 40 m up, falling at 10 m/s (4 s to go), the site 6 m to the right, no sideways speed.
    const near = (clearance: number) =>
      navigate(
        aReport({
          altitude: 40,
          vz: -10,
          site: { x: 6, safe: true, slopeDeg: 0, boulderHeight: 0, clearance },
        }),
        { phase: 'terminal', siteX: 6 },
        { ...late, terminalMaxTiltDeg: 20 },
      );
    const open = near(50);
    const tight = near(1);
    // On open ground the miss costs nothing: the day-one speed loop's gentle lean.
    const unknown = navigate(
      aReport({
        altitude: 40,
        vz: -10,
        site: { x: 6, safe: null, slopeDeg: null, boulderHeight: null },
      }),
      { phase: 'terminal', siteX: 6 },
      { ...late, terminalMaxTiltDeg: 20 },
    );
    expect(open).toEqual(unknown);
    // Squeezed: it leans toward the site clearly harder.
    expect(tight.pitchDeg).toBeGreaterThan(open.pitchDeg + 1);
  });
});
