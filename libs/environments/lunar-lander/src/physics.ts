import { M } from './fast-math';
import { EXHAUST_VELOCITY, LUNAR_GRAVITY, MAX_ATTITUDE_RATE, MAX_THRUST_N } from './constants';
import type { CraftState } from './types';

/**
 * Advances the craft by one physics tick of `dt` seconds. Pure: the same state and `dt` always give
 * the same result, so the simulator and the fuel-limit calculation share one integrator.
 *
 * 1. The attitude slews toward `pitchCommand` by at most MAX_ATTITUDE_RATE * dt.
 * 2. With `lagSeconds` > 0 the engine's level moves toward the commanded throttle by the exact
 *    first-order step (1 - exp(-dt / lag) of the way); the tick burns at the mean of the old and
 *    new level. Without a lag the level is the throttle.
 * 3. With that pitch held, the engine burns for tb = min(dt, fuel / mdot) and adds the exact rocket
 *    equation's dv = ve * ln(m0 / (m0 - mdot * tb)) along the thrust axis (sin pitch, cos pitch);
 *    gravity takes LUNAR_GRAVITY * dt off vz.
 * 4. Position moves by the trapezoid rule on the old and new velocity (exact for free fall).
 *
 * When the propellant runs out the engine is starved: `throttle` keeps its commanded value but
 * produces nothing, and `fuel` stays exactly 0 (never negative). Time is kept as tick * dt rather
 * than a running sum so it does not drift.
 */
export function stepPhysics(state: Readonly<CraftState>, dt: number, lagSeconds = 0): CraftState {
  const slew = MAX_ATTITUDE_RATE * dt;
  const pitch = state.pitch + clamp(state.pitchCommand - state.pitch, -slew, slew);

  // Without a lag the engine gives the throttle; `engineLevel` stays absent, as it always was.
  const from = state.engineLevel ?? state.throttle;
  const level = lagSeconds > 0 ? lagged(from, state.throttle, dt / lagSeconds) : undefined;
  const meanLevel = level === undefined ? state.throttle : 0.5 * (from + level);
  const thrust = state.fuel > 0 ? meanLevel * MAX_THRUST_N : 0;
  const massFlow = thrust / EXHAUST_VELOCITY;
  let dv = 0;
  let fuel = state.fuel;
  if (massFlow > 0) {
    const starves = state.fuel <= massFlow * dt;
    const burned = starves ? state.fuel : massFlow * dt;
    const mass = state.dryMass + state.fuel;
    // ln(m0 / (m0 - b)) = -ln(1 - b / m0); log1p keeps precision for small burns.
    dv = -EXHAUST_VELOCITY * M.log1p(-burned / mass);
    fuel = starves ? 0 : state.fuel - burned;
  }

  const vx = state.vx + dv * M.sin(pitch);
  const vz = state.vz + dv * M.cos(pitch) - LUNAR_GRAVITY * dt;
  const tick = state.tick + 1;
  return {
    ...state,
    t: tick * dt,
    tick,
    x: state.x + 0.5 * (state.vx + vx) * dt,
    z: state.z + 0.5 * (state.vz + vz) * dt,
    vx,
    vz,
    pitch,
    fuel,
    ...(level === undefined ? {} : { engineLevel: level }),
  };
}

/** First-order lag over `periods` time constants; within 1e-9 of the target it is the target. */
function lagged(from: number, to: number, periods: number): number {
  const level = to + (from - to) * M.exp(-periods);
  return M.abs(level - to) < 1e-9 ? to : level;
}

function clamp(value: number, min: number, max: number): number {
  return M.min(max, M.max(min, value));
}
