import { M } from '../fast-math';
import {
  LUNAR_GRAVITY,
  MAX_PITCH,
  MAX_THRUST_N,
  THROTTLE_FULL,
  THROTTLE_MAX_THROTTLED,
  THROTTLE_MIN,
} from '../constants';
import { NAVIGATOR, type DetectorReport, type NavigatorCommand, type Orders } from './lunar-team';
import type { AppliedRule, RoleRuleSpace } from './role-rules';

const DEG = M.PI / 180;

/** The Navigator's day-one parameters: a speed schedule and two proportional loops. */
export const NAVIGATOR_DEFAULTS = {
  /** Target descent speed per metre of altitude, 1/s. */
  descentRateGain: 0.1,
  /** Slowest target descent speed (near the ground), m/s. */
  minDescentRate: 0.5,
  /** Fastest target descent speed, m/s. */
  maxDescentRate: 40,
  /** Vertical speed error to commanded acceleration, 1/s. */
  verticalGain: 0.5,
  /** Distance to the site to target horizontal speed, 1/s. */
  positionGain: 0.05,
  /** Largest target horizontal speed during the approach, m/s. */
  maxApproachSpeed: 40,
  /** Largest target horizontal speed once braking, m/s. */
  maxBrakingSpeed: 15,
  /** Largest target horizontal speed in terminal descent and hover, m/s. */
  maxTerminalSpeed: 5,
  /** Horizontal speed error to commanded acceleration, 1/s. */
  velocityGain: 0.3,
  /** Largest tilt during approach and braking, degrees. */
  maxTiltDeg: 30,
  /** Largest tilt in terminal descent and hover, degrees. */
  terminalMaxTiltDeg: 10,
  /**
   * Vertical guidance law: 0 follows the altitude-proportional speed schedule above; 1 is
   * late-ignition (constant-deceleration) guidance: coast until stopping by `flareAltitude` needs
   * `brakingAccelFraction` of the engine's deceleration, then brake with exactly what stopping
   * needs. Values from 0.5 up count as 1.
   */
  guidanceLaw: 0,
  /** Share of the engine's largest net deceleration the late-ignition law plans to brake with. */
  brakingAccelFraction: 0.8,
  /** Altitude where the late-ignition braking curve ends at `minDescentRate`, m. */
  flareAltitude: 10,
  /**
   * Seconds ahead the late-ignition law looks when deciding to light the engine: one decision
   * period holds a coast, so it lights when the curve would be crossed before the next decision.
   */
  ignitionLeadSeconds: 1,
  /**
   * A throttle demand below this shuts the engine off instead of holding it at its 10 % minimum
   * (0: never shut down in flight, the day-one habit).
   */
  engineOffBelow: 0,
};
export type NavigatorParams = typeof NAVIGATOR_DEFAULTS;

export const NAVIGATOR_RULES: RoleRuleSpace = {
  role: NAVIGATOR,
  params: {
    descentRateGain: 'target descent speed per metre of altitude, 1/s',
    minDescentRate: 'slowest target descent speed, m/s',
    maxDescentRate: 'fastest target descent speed, m/s',
    verticalGain: 'vertical speed error to acceleration, 1/s',
    positionGain: 'distance to the site to target horizontal speed, 1/s',
    maxApproachSpeed: 'largest target horizontal speed in the approach, m/s',
    maxBrakingSpeed: 'largest target horizontal speed when braking, m/s',
    maxTerminalSpeed: 'largest target horizontal speed in terminal descent and hover, m/s',
    velocityGain: 'horizontal speed error to acceleration, 1/s',
    maxTiltDeg: 'largest tilt in approach and braking, degrees',
    terminalMaxTiltDeg: 'largest tilt in terminal descent and hover, degrees',
    guidanceLaw: '0: altitude-proportional descent schedule; 1: late-ignition braking curve',
    brakingAccelFraction: "share of the engine's net deceleration the braking curve plans with",
    flareAltitude: 'altitude where the braking curve ends at minDescentRate, m',
    ignitionLeadSeconds: 'seconds ahead the braking curve is checked before lighting the engine, s',
    engineOffBelow: 'throttle demand below which the engine is shut off (0: never)',
  },
  actions: {
    set_throttle: { throttle: '0 (off), 0.1 to 0.6, or 1' },
    set_pitch: { pitchDeg: 'tilt of the thrust axis from vertical, degrees' },
  },
  check: (action, params) => {
    if (action === 'set_throttle' && !isThrottle(params.throttle))
      return `set_throttle needs a throttle of 0 (off), 0.1 to 0.6, or 1; got ${JSON.stringify(params.throttle)}`;
    if (
      action === 'set_pitch' &&
      (typeof params.pitchDeg !== 'number' || M.abs(params.pitchDeg) > MAX_PITCH / DEG)
    )
      return `set_pitch needs pitchDeg within +/-${(MAX_PITCH / DEG).toFixed(0)} degrees; got ${JSON.stringify(params.pitchDeg)}`;
    return null;
  },
};

function isThrottle(v: unknown): v is number {
  return (
    typeof v === 'number' &&
    (v === 0 || v === THROTTLE_FULL || (v >= THROTTLE_MIN && v <= THROTTLE_MAX_THROTTLED))
  );
}

/**
 * The nearest throttle the engine accepts: below the throttled range the engine stays lit at its
 * minimum (a first attempt never shuts down in flight), and the gap between 60 % and full thrust
 * rounds to the nearer end.
 */
export function nearestThrottle(wanted: number): number {
  if (wanted <= THROTTLE_MIN) return THROTTLE_MIN;
  if (wanted <= THROTTLE_MAX_THROTTLED) return wanted;
  return wanted >= (THROTTLE_MAX_THROTTLED + THROTTLE_FULL) / 2
    ? THROTTLE_FULL
    : THROTTLE_MAX_THROTTLED;
}

/**
 * A first-attempt Navigator: a target descent speed proportional to altitude, a target horizontal
 * speed proportional to the distance to the site (capped by phase), and proportional loops that
 * turn the speed errors into a tilt and a throttle. It trusts the Detector's altitude and the
 * velocity sensors as they are. Rule actions (`set_throttle`, `set_pitch`) override its output.
 */
export function navigate(
  report: DetectorReport,
  orders: Orders,
  params: NavigatorParams,
  ruleActions: readonly AppliedRule[] = [],
): NavigatorCommand {
  const hovering = orders.phase === 'hover';
  const low = orders.phase === 'terminal' || hovering;
  const descent = M.min(
    M.max(params.descentRateGain * M.max(report.altitude, 0), params.minDescentRate),
    params.maxDescentRate,
  );
  const vzTarget = hovering ? 0 : -descent;
  const speedCap =
    orders.phase === 'approach'
      ? params.maxApproachSpeed
      : orders.phase === 'braking'
        ? params.maxBrakingSpeed
        : params.maxTerminalSpeed;
  const vxTarget = clamp(params.positionGain * (orders.siteX - report.x), speedCap);

  const ax = params.velocityGain * (vxTarget - report.vx);
  const late = hovering ? null : lateIgnitionAccel(report, params);
  const az = late ?? LUNAR_GRAVITY + params.verticalGain * (vzTarget - report.vz);
  const maxTilt = M.min((low ? params.terminalMaxTiltDeg : params.maxTiltDeg) * DEG, MAX_PITCH);
  const pitch = clamp(M.atan2(ax, M.max(az, 0.1)), maxTilt);
  const thrust = (report.mass * M.max(az, 0)) / M.cos(pitch);
  const demand = thrust / MAX_THRUST_N;
  let out: NavigatorCommand = {
    throttle: demand < params.engineOffBelow ? 0 : nearestThrottle(demand),
    pitchDeg: pitch / DEG,
  };
  for (const a of ruleActions) {
    if (a.action === 'set_throttle') out = { ...out, throttle: a.params.throttle as number };
    if (a.action === 'set_pitch') out = { ...out, pitchDeg: a.params.pitchDeg as number };
  }
  return out;
}

/**
 * The vertical acceleration late-ignition guidance asks for above the flare altitude (null below
 * it or with the proportional law): none while coasting, then the deceleration that stops the
 * descent at `flareAltitude` once that needs `brakingAccelFraction` of what the engine can give.
 */
function lateIgnitionAccel(report: DetectorReport, params: NavigatorParams): number | null {
  if (params.guidanceLaw < 0.5 || report.altitude <= params.flareAltitude) return null;
  const height = report.altitude - params.flareAltitude;
  const sink = M.max(-report.vz, 0);
  const stop = (h: number, v: number) =>
    M.max(v * v - params.minDescentRate ** 2, 0) / (2 * M.max(h, 0.1));
  const needed = stop(height, sink);
  // Where a coast until the next decision would leave the craft.
  const lead = M.max(params.ignitionLeadSeconds, 0);
  const ahead = stop(
    height - sink * lead - 0.5 * LUNAR_GRAVITY * lead * lead,
    sink + LUNAR_GRAVITY * lead,
  );
  const available = MAX_THRUST_N / report.mass - LUNAR_GRAVITY;
  return M.max(needed, ahead) >= params.brakingAccelFraction * available
    ? LUNAR_GRAVITY + needed
    : 0;
}

const clamp = (v: number, limit: number) => M.min(M.max(v, -limit), limit);
