import { M } from '../fast-math';
import {
  DEFAULT_DECISION_HZ,
  LUNAR_GRAVITY,
  MAX_ATTITUDE_RATE,
  MAX_PITCH,
  MAX_TOUCHDOWN_VERTICAL_SPEED,
  MAX_THRUST_N,
  MAX_TOUCHDOWN_HORIZONTAL_SPEED,
  MAX_TOUCHDOWN_TILT,
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
   * predictive late-ignition guidance: at each decision it picks the least thrust that, held until
   * the next decision, still leaves a braking burn at `brakingAccelFraction` of the engine's net
   * deceleration able to slow the descent to `finalDescentRate` by `flareAltitude`; below that it
   * holds `finalDescentRate` down to the ground. Values from 0.5 up count as 1. The parameters
   * below that only this law reads start where its physics puts them (brake with nearly all the
   * engine gives, flare a few metres up, touch down a little under the gear's limit); day one
   * flies law 0 and never reads them.
   */
  guidanceLaw: 0,
  /** Share of the engine's largest net deceleration the late-ignition law plans to brake with. */
  brakingAccelFraction: 0.95,
  /** Altitude where the late-ignition braking curve ends at `finalDescentRate`, m. */
  flareAltitude: 5,
  /** The late-ignition law's descent speed below the flare, m/s (80 % of the gear's limit). */
  finalDescentRate: 0.8 * MAX_TOUCHDOWN_VERTICAL_SPEED,
  /**
   * Decision periods the late-ignition law predicts across: a throttle holds until the next
   * decision, so the law checks where the craft will be then (more periods: earlier, safer burns).
   */
  ignitionLeadSeconds: 1,
  /**
   * A throttle demand below this shuts the engine off instead of holding it at its 10 % minimum
   * (0: never shut down in flight, the day-one habit).
   */
  engineOffBelow: 0,
  /**
   * The late-ignition law holds its altitude below the flare while farther than this from the site,
   * m (0: never): a site moved late (a retarget away from a hazard seen low down) is reached before
   * the gear touches, not passed by at the final descent rate.
   */
  flareHoldDistance: 0,
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
    flareAltitude: 'altitude where the braking curve ends at finalDescentRate, m',
    finalDescentRate: 'late-ignition law: descent speed below the flare altitude, m/s',
    ignitionLeadSeconds:
      'decision periods ahead the braking curve is checked (a throttle holds that long)',
    engineOffBelow: 'throttle demand below which the engine is shut off (0: never)',
    flareHoldDistance:
      'late-ignition law: hold altitude below the flare while farther than this from the site, m (0: never)',
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
  periodSeconds = 1 / DEFAULT_DECISION_HZ,
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
  // A hair inside the limit, so degrees and back cannot round past it.
  const maxTilt = M.min(
    (low ? params.terminalMaxTiltDeg : params.maxTiltDeg) * DEG,
    MAX_PITCH - 1e-9,
  );
  let out =
    hovering || params.guidanceLaw < 0.5
      ? proportionalCommand(report, params, vzTarget, ax, maxTilt)
      : lateIgnitionCommand(
          report,
          params,
          lateralDemand(
            report,
            orders.siteX,
            params,
            reachAx(report, orders.siteX, params, vxTarget, speedCap, maxTilt),
            maxTilt,
            periodSeconds,
          ),
          params.flareHoldDistance > 0 && M.abs(orders.siteX - report.x) > params.flareHoldDistance,
          maxTilt,
          periodSeconds,
          orders.siteX,
        );
  for (const a of ruleActions) {
    if (a.action === 'set_throttle') out = { ...out, throttle: a.params.throttle as number };
    if (a.action === 'set_pitch') out = { ...out, pitchDeg: a.params.pitchDeg as number };
  }
  return out;
}

/** The day-one law: a proportional vertical loop on the target descent speed. */
function proportionalCommand(
  report: DetectorReport,
  params: NavigatorParams,
  vzTarget: number,
  ax: number,
  maxTilt: number,
): NavigatorCommand {
  const az = LUNAR_GRAVITY + params.verticalGain * (vzTarget - report.vz);
  const pitch = clamp(M.atan2(ax, M.max(az, 0.1)), maxTilt);
  const thrust = (report.mass * M.max(az, 0)) / M.cos(pitch);
  const demand = thrust / MAX_THRUST_N;
  return {
    throttle: demand < params.engineOffBelow ? 0 : nearestThrottle(demand),
    pitchDeg: pitch / DEG,
  };
}

/** Throttles the late-ignition law considers, least first: off (when allowed), the throttled range, full. */
const THROTTLE_STEPS: readonly number[] = [
  ...Array.from(
    { length: M.round((THROTTLE_MAX_THROTTLED - THROTTLE_MIN) / 0.025) + 1 },
    (_, i) => THROTTLE_MIN + i * 0.025,
  ),
  THROTTLE_FULL,
];

/**
 * Predictive late-ignition guidance. A command holds until the next decision, so for each
 * throttle (least first) it predicts the craft's altitude and vertical speed one horizon ahead
 * (`ignitionLeadSeconds` decision periods, from the current mass, thrust and gravity) and takes
 * the first that leaves the descent recoverable: at or below `finalDescentRate`, or able to get
 * there by `flareAltitude` braking at `brakingAccelFraction` of the engine's net deceleration.
 * Coasting (off or at minimum) as long as that holds and then braking hard is what keeps the
 * propellant close to the vertical fuel-optimal burn. The sideways demand is served by tilting
 * the thrust; when it is required (`lateralDemand`) a throttle must be able to give it within
 * `maxTilt`. Below the flare the tilt stays inside the gear's touchdown limit. The braking curve
 * is planned upright: a tilted craft counts the slew back (at the attitude rate) as coasting, so
 * it turns upright while the engine idles rather than burning at a tilt while it turns. Above the
 * flare the descent also may not reach the flare (braking as late as the curve allows) sooner than
 * the sideways approach to the site can be flown (`sidewaysSeconds`): a site far downrange slows
 * the descent rather than letting the craft skim the ground, too fast sideways for the gear.
 * A lagging engine (its gauge in the report) is predicted at its mean level over the horizon, and
 * the braking burn counts the time it needs to spool up to full thrust as coasting.
 */
function lateIgnitionCommand(
  report: DetectorReport,
  params: NavigatorParams,
  lateral: { ax: number; required: boolean; soon: boolean },
  offSite: boolean,
  maxTilt: number,
  periodSeconds: number,
  siteX: number,
): NavigatorCommand {
  const full = MAX_THRUST_N / report.mass;
  const share = M.min(M.max(params.brakingAccelFraction, 0.05), 1);
  const plan = share * (full - LUNAR_GRAVITY);
  const tau = horizon(params, periodSeconds);
  const flare = M.max(params.flareAltitude, 0);
  const below = report.altitude <= flare;
  // Below the flare with sideways speed still to null: hold the altitude (the gear takes little
  // sideways speed), serving the sideways demand in passing; else descend with the craft upright.
  const holding = below && (lateral.required || offSite);
  const vFinal = holding ? 0 : M.max(params.finalDescentRate, 0.1);
  // Below the flare the gear may touch at any moment: never tilted beyond its limit there. Above
  // it, no more tilt than the attitude can slew back from before touchdown (the time left as the
  // braking curve flies it, less two decisions), so a late sideways correction cannot tip it.
  const upright = 0.8 * MAX_TOUCHDOWN_TILT;
  const h = M.max(report.altitude, 0);
  const vLand = M.max(params.finalDescentRate, 0.1);
  const tgo = (2 * M.max(h - flare, 0)) / (M.max(-report.vz, 0) + vLand) + M.min(h, flare) / vLand;
  const tilt = below
    ? M.min(maxTilt, upright)
    : M.min(maxTilt, upright + MAX_ATTITUDE_RATE * M.max(tgo - 2 * periodSeconds, 0));
  const required = lateral.required && !below;
  // The attitude slews at a limited rate: count on the more tilted of now and the command.
  const nowPitch = report.pitchDeg * DEG;
  const nowCos = M.cos(nowPitch);
  const turn = MAX_ATTITUDE_RATE * tau;
  const engine = engineOver(report, tau);
  // Throttle `u` held for the horizon at `cos` of its thrust upward: does the descent stay
  // recoverable? A lagging engine gives its mean level over the horizon, not `u`.
  const recoverable = (u: number, cos: number, pitch: number) => {
    const { mean, end } = engine(u);
    const az = mean * full * cos - LUNAR_GRAVITY;
    let h = report.altitude + report.vz * tau + 0.5 * az * tau * tau;
    let v = report.vz + az * tau;
    if (v >= -vFinal) return true;
    // The braking curve is flown upright: a craft still tilted when the horizon ends first slews
    // back, counted as coasting (thrust burnt at a tilt brakes the descent by only its cosine),
    // so the law turns upright before the burn instead of burning while it turns. A lagging
    // engine still short of full thrust then spools up, counted as coasting too.
    const up =
      M.abs(nowPitch + clamp(pitch - nowPitch, turn)) / MAX_ATTITUDE_RATE +
      spoolUpSeconds(report, end);
    h += v * up - 0.5 * LUNAR_GRAVITY * up * up;
    v -= LUNAR_GRAVITY * up;
    const brake = (v * v - vFinal * vFinal) / (2 * plan);
    if (!(h > flare && h - flare >= brake)) return false;
    // Not down at the flare before the sideways approach can be flown: braking as late as the
    // curve allows, the descent reaches the flare no sooner than the site can be reached.
    return sideways <= 0 || tau + arrivalSeconds(h - flare, v, vFinal, plan) >= sideways;
  };
  const sideways = below ? 0 : sidewaysSeconds(report, siteX, share * full * M.sin(maxTilt));
  const options = params.engineOffBelow > 0 ? [0, ...THROTTLE_STEPS] : THROTTLE_STEPS;
  for (const u of options) {
    const thrust = u * full;
    const last = u === THROTTLE_FULL;
    if (required && M.abs(lateral.ax) > thrust * M.sin(tilt) && !last) continue;
    // With the engine off, hold the braking attitude when sideways braking is coming (the
    // attitude slews slowly; thrust lit while still upright would only climb).
    if (thrust === 0) {
      const pitch = lateral.soon ? M.sign(lateral.ax) * tilt : 0;
      if (recoverable(0, 1, pitch)) return { throttle: 0, pitchDeg: pitch / DEG };
      continue;
    }
    // While sideways braking is required, from `tilt` down to the tilt that gives exactly the
    // demand: the most tilted that keeps the descent recoverable spends the least thrust lifting
    // the craft. Otherwise only the exact tilt (the sideways demand is served in passing).
    const least = M.asin(clamp(lateral.ax / thrust, M.sin(tilt)));
    for (let k = required ? TILT_STEPS : 0; k >= 0; k--) {
      const pitch = least + ((M.sign(lateral.ax) * tilt - least) * k) / TILT_STEPS;
      if (recoverable(u, M.min(M.cos(pitch), nowCos), pitch))
        return { throttle: u, pitchDeg: pitch / DEG };
    }
    // Not required sideways: upright at this throttle rather than more thrust at the tilt.
    if (!required && least !== 0 && recoverable(u, M.min(1, nowCos), 0))
      return { throttle: u, pitchDeg: 0 };
    if (last) return { throttle: u, pitchDeg: least / DEG };
  }
  return { throttle: THROTTLE_FULL, pitchDeg: 0 };
}

/**
 * What throttle `u` gives over the next `tau` seconds as a share of full thrust: its mean and its
 * level at the end. An engine without a gauge (no lag) gives `u` at once; a lagging one moves from
 * its gauge's level toward `u` as a first-order lag.
 */
function engineOver(
  report: DetectorReport,
  tau: number,
): (u: number) => { mean: number; end: number } {
  if (!report.engine || !(report.engine.lagSeconds > 0)) return (u) => ({ mean: u, end: u });
  const { level, lagSeconds: lag } = report.engine;
  const k = M.exp(-tau / lag);
  return (u) => ({ mean: u + ((level - u) * lag * (1 - k)) / tau, end: u + (level - u) * k });
}

/**
 * The coasting a lagging engine at `level` costs before it gives full thrust, s: its thrust
 * deficit while it spools up equals this long without any (0 without a gauge).
 */
function spoolUpSeconds(report: DetectorReport, level: number): number {
  return report.engine ? report.engine.lagSeconds * M.max(THROTTLE_FULL - level, 0) : 0;
}

/**
 * The least time the sideways approach to the site still needs, s: coasting to it at the current
 * speed and then stopping at `sideDecel` (half the stop counted as coasting), or 0 when there is no
 * approach to fly (heading away, or slow enough for the gear already).
 */
export function sidewaysSeconds(report: DetectorReport, siteX: number, sideDecel: number): number {
  const dx = siteX - report.x;
  const speed = M.abs(report.vx);
  if (speed <= MAX_TOUCHDOWN_HORIZONTAL_SPEED || dx * report.vx <= 0 || !(sideDecel > 0)) return 0;
  return M.abs(dx) / speed + speed / (2 * sideDecel);
}

/**
 * How long a descent `gap` metres above the flare at vertical speed `vz` (negative down) takes to
 * reach it if it coasts at that speed and brakes as late as it can at `decel` down to `vFinal`, s.
 */
export function arrivalSeconds(gap: number, vz: number, vFinal: number, decel: number): number {
  const v = M.max(-vz, vFinal);
  const brake = (v * v - vFinal * vFinal) / (2 * decel);
  return M.max(gap - brake, 0) / v + (v - vFinal) / decel;
}

/**
 * The late-ignition law's sideways speed loop. Its descent is short, so the day-one target speed
 * (`positionGain` times the distance) would leave a site a few metres off unreached at touchdown:
 * it asks at least for the speed that covers the distance in the time left to the ground (altitude
 * over the descent speed, at least one second), no faster than it can still stop from on the way
 * (half the sideways deceleration `maxTilt` allows) nor than the phase's speed cap.
 */
function reachAx(
  report: DetectorReport,
  siteX: number,
  params: NavigatorParams,
  vxTarget: number,
  speedCap: number,
  maxTilt: number,
): number {
  // Only the miss the site's clearance cannot absorb (half of it, for the touchdown's own error).
  const dx = siteX - report.x;
  const miss = M.max(M.abs(dx) - 0.5 * (report.site.clearance ?? Infinity), 0);
  if (miss === 0) return params.velocityGain * (vxTarget - report.vx);
  const tgo = M.max(M.max(report.altitude, 0) / M.max(-report.vz, params.finalDescentRate, 0.1), 1);
  const side = 0.5 * (MAX_THRUST_N / report.mass) * M.sin(maxTilt);
  // Slow enough near the ground to be back within the gear's sideways limit by touchdown.
  const touch = 0.8 * MAX_TOUCHDOWN_HORIZONTAL_SPEED + side * M.max(tgo - 2, 0);
  const reach = M.min(miss / tgo, M.sqrt(2 * side * miss), touch, speedCap);
  const target = M.abs(vxTarget) >= reach ? vxTarget : M.sign(dx) * reach;
  // Closes the speed gap within the time left, however low the day-one gain.
  return M.max(params.velocityGain, 1 / tgo) * (target - report.vx);
}

/** Tilts the late-ignition law tries between the least that serves the sideways demand and the most. */
const TILT_STEPS = 4;

/** How far ahead the late-ignition law predicts: `ignitionLeadSeconds` decision periods, s. */
const horizon = (params: NavigatorParams, periodSeconds: number) =>
  M.max(params.ignitionLeadSeconds, 0.25) * periodSeconds;

/**
 * The sideways acceleration the late-ignition law asks for. Heading for the site, it is the
 * constant deceleration that stops exactly there; it is required (the throttle must be able to
 * give it) once, after one more horizon of coasting, stopping would need more than
 * `brakingAccelFraction` of the sideways thrust `maxTilt` allows, and otherwise served only when
 * the engine burns anyway. Too slow for a site far ahead, or past the site or moving away, the day-one speed loop `loopAx`,
 * required while the speed is further off the loop's target than the gear's touchdown limit.
 */
function lateralDemand(
  report: DetectorReport,
  siteX: number,
  params: NavigatorParams,
  loopAx: number,
  maxTilt: number,
  periodSeconds: number,
): { ax: number; required: boolean; soon: boolean } {
  const dx = siteX - report.x;
  const ahead = (dx - report.vx * horizon(params, periodSeconds)) * M.sign(report.vx);
  // Too slow for a site far ahead: the day-one speed loop speeds the craft up towards it.
  const faster = (loopAx * M.sign(dx)) / M.max(params.velocityGain, 1e-6);
  if (faster > MAX_TOUCHDOWN_HORIZONTAL_SPEED) return { ax: loopAx, required: true, soon: false };
  if (ahead <= 0 || M.abs(dx) < params.maxTerminalSpeed)
    return {
      ax: loopAx,
      required: M.abs(loopAx) > params.velocityGain * MAX_TOUCHDOWN_HORIZONTAL_SPEED,
      soon: false,
    };
  const stop = (report.vx * report.vx) / (2 * M.abs(dx));
  const plan =
    M.min(M.max(params.brakingAccelFraction, 0.05), 1) *
    (MAX_THRUST_N / report.mass) *
    M.sin(maxTilt);
  const need = (report.vx * report.vx) / (2 * ahead);
  // Within the few seconds the attitude needs to slew to `maxTilt`, braking will be required.
  const slew = (maxTilt / MAX_ATTITUDE_RATE) * M.abs(report.vx);
  return {
    ax: -M.sign(report.vx) * stop,
    required: need >= plan,
    soon: (report.vx * report.vx) / (2 * M.max(ahead - slew, 1e-3)) >= plan,
  };
}

const clamp = (v: number, limit: number) => M.min(M.max(v, -limit), limit);
