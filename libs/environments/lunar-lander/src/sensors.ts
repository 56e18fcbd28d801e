import { M } from './fast-math';
import {
  BOULDER_DETECTION_ALTITUDE_SCALE,
  BOULDER_DETECTION_MIN_HEIGHT,
  MAX_SCAN_SAMPLES,
  RADAR_RAY_COUNT,
  SCAN_NOISE_MIN_FACTOR,
  SCAN_NOISE_REFERENCE_ALTITUDE,
} from './constants';
import { LanderError } from './errors';
import { gaussian, RandomChannel } from './random';
import type { Terrain } from './terrain';
import type { CraftState, SensorReading, SensorSettings, TerrainScan } from './types';

const DEG = M.PI / 180;

/** What a sensor needs: the true state, the ground, the sensor settings and the scenario seed. */
export interface SensorInput {
  seed: number;
  sensors: SensorSettings;
  terrain: Pick<Terrain, 'heightAt' | 'boulders'>;
  state: Readonly<CraftState>;
  /** The craft's throttle lag, s (absent or 0: the engine follows at once and has no gauge). */
  engineLagSeconds?: number;
}

/**
 * Noisy readings at the state's tick. Noise is a pure function of (seed, tick, channel), so the same
 * tick always reads the same. Attitude, position, propellant, mass, throttle and a lagging engine's
 * gauge are exact.
 */
export function senseAt(input: SensorInput): SensorReading {
  const { seed, sensors, state } = input;
  const lag = input.engineLagSeconds ?? 0;
  return {
    t: state.t,
    radarAltitude:
      radarReturn(input) +
      sensors.radarNoise * gaussian(seed, RandomChannel.radarNoise, state.tick) +
      (sensors.radarBias ?? 0),
    vx: state.vx + sensors.velocityNoise * gaussian(seed, RandomChannel.velocityNoiseX, state.tick),
    vz: state.vz + sensors.velocityNoise * gaussian(seed, RandomChannel.velocityNoiseZ, state.tick),
    pitch: state.pitch,
    x: state.x,
    fuel: state.fuel,
    mass: state.dryMass + state.fuel,
    throttle: state.throttle,
    ...(state.engineLevel !== undefined && lag > 0
      ? { engine: { level: state.engineLevel, lagSeconds: lag } }
      : {}),
  };
}

/**
 * The radar altimeter's noiseless return: the nearest vertical distance to the ground among
 * RADAR_RAY_COUNT rays spread across the beam. The beam looks out of the craft's base, opposite the
 * thrust axis (sin pitch, cos pitch), so a ray at angle `a` inside the beam meets flat ground at
 * x - AGL * tan(pitch + a). Taking the nearest return is what makes the altimeter read low over
 * an upslope or a crater rim, as a real wide-beam altimeter does.
 */
export function radarReturn(input: SensorInput): number {
  const { sensors, terrain, state } = input;
  const agl = state.z - terrain.heightAt(state.x);
  const half = sensors.radarBeamHalfAngleDeg * DEG;
  let nearest = Infinity;
  for (let k = 0; k < RADAR_RAY_COUNT; k++) {
    const offset = RADAR_RAY_COUNT > 1 ? -half + (2 * half * k) / (RADAR_RAY_COUNT - 1) : 0;
    const angle = state.pitch + offset;
    // A ray at or above the horizon never meets the ground.
    if (M.cos(angle) <= 0) continue;
    const groundX = state.x - agl * M.tan(angle);
    nearest = M.min(nearest, state.z - terrain.heightAt(groundX));
  }
  return Number.isFinite(nearest) ? nearest : agl;
}

/**
 * Terrain heights at x - halfSpan + i * spacing across [x - halfSpan, x + halfSpan], with noise of
 * scanNoise * max(SCAN_NOISE_MIN_FACTOR, AGL / SCAN_NOISE_REFERENCE_ALTITUDE), and the boulders in
 * that span tall enough to be seen from this altitude (BOULDER_DETECTION_MIN_HEIGHT +
 * AGL / BOULDER_DETECTION_ALTITUDE_SCALE), their heights noisy too. Pure in (seed, tick).
 */
export function scanTerrain(input: SensorInput, halfSpan: number, spacing: number): TerrainScan {
  const { seed, sensors, terrain, state } = input;
  if (!(Number.isFinite(halfSpan) && halfSpan >= 0)) {
    throw new LanderError(
      'invalid_command',
      `scan half-span ${halfSpan} must be a finite number ≥ 0 m`,
    );
  }
  if (!(Number.isFinite(spacing) && spacing > 0)) {
    throw new LanderError(
      'invalid_command',
      `scan spacing ${spacing} must be a finite number > 0 m`,
    );
  }
  const count = M.floor((2 * halfSpan) / spacing) + 1;
  if (count > MAX_SCAN_SAMPLES) {
    throw new LanderError(
      'invalid_command',
      `a scan of ±${halfSpan} m every ${spacing} m needs ${count} samples; at most ${MAX_SCAN_SAMPLES} are allowed`,
    );
  }

  const agl = M.max(0, state.z - terrain.heightAt(state.x));
  const sigma =
    sensors.scanNoise * M.max(SCAN_NOISE_MIN_FACTOR, agl / SCAN_NOISE_REFERENCE_ALTITUDE);
  const x0 = state.x - halfSpan;
  const heights: number[] = [];
  for (let i = 0; i < count; i++) {
    const noise = sigma * gaussian(seed, RandomChannel.scanHeightNoise, state.tick, i);
    heights.push(terrain.heightAt(x0 + i * spacing) + noise);
  }

  const threshold = BOULDER_DETECTION_MIN_HEIGHT + agl / BOULDER_DETECTION_ALTITUDE_SCALE;
  const boulders: TerrainScan['boulders'] = [];
  terrain.boulders.forEach((b, index) => {
    if (M.abs(b.x - state.x) > halfSpan || b.height < threshold) return;
    // Indexed by the boulder's place in the terrain list, so its noise does not depend on the span.
    const noise = sigma * gaussian(seed, RandomChannel.scanBoulderNoise, state.tick, index);
    boulders.push({ x: b.x, height: M.max(0, b.height + noise) });
  });

  return { t: state.t, x0, spacing, heights, boulders };
}
