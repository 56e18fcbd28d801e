import { M } from './fast-math';
import {
  BOULDER_RADIUS_PER_HEIGHT,
  CRATER_RIM_FALLOFF_RATIO,
  CRATER_RIM_HEIGHT_RATIO,
  FOOTPRINT_HALF_WIDTH,
} from './constants';
import { LanderError } from './errors';
import { RandomChannel, uniformIn } from './random';
import type { TerrainSettings } from './types';

const DEG = M.PI / 180;
const METRES_PER_KM = 1_000;

/** A rock on the surface: a point hazard for the landing gear, not part of the height profile. */
export interface Boulder {
  x: number;
  height: number;
  /** Half the width of the rock, m. */
  radius: number;
}

/** A bowl-shaped crater with a raised rim. */
export interface Crater {
  x: number;
  radius: number;
  /** Depth of the bowl's centre below the surrounding ground, m. */
  depth: number;
  /** Height of the rim crest above the surrounding ground, m. */
  rimHeight: number;
}

/**
 * Height contribution of one crater at horizontal distance `r` from its centre. Inside the radius a
 * parabola runs from -depth at the centre up to the rim crest; outside, the rim falls back to zero
 * with zero slope at the outer edge, so the profile is continuous everywhere.
 */
export function craterHeight(crater: Crater, r: number): number {
  const { radius, depth, rimHeight } = crater;
  if (r <= radius) {
    const q = r / radius;
    return -depth + (depth + rimHeight) * q * q;
  }
  const falloff = CRATER_RIM_FALLOFF_RATIO * radius;
  if (r >= radius + falloff) return 0;
  const u = 1 - (r - radius) / falloff;
  return rimHeight * u * u;
}

function makeCrater(x: number, radius: number, depth: number): Crater {
  return { x, radius, depth, rimHeight: CRATER_RIM_HEIGHT_RATIO * depth };
}

/**
 * The ground under the flight: a seeded height profile (base height, ramps, craters) plus boulders.
 * Immutable; the same settings and seed always give the same terrain.
 */
export class Terrain {
  private constructor(
    readonly settings: Readonly<TerrainSettings>,
    /** Ramp knots: heights at xMin + i * rampLength, i = 0..count. */
    private readonly knots: readonly number[],
    private readonly rampLength: number,
    readonly craters: readonly Crater[],
    /** Sorted by x. */
    readonly boulders: readonly Boulder[],
  ) {
    this.maxBoulderRadius = boulders.reduce((m, b) => M.max(m, b.radius), 0);
  }

  /** Largest boulder radius, so a search by x knows how far to look. */
  private readonly maxBoulderRadius: number;

  /** Builds the terrain the settings describe, drawing every random part from `seed`. */
  static generate(settings: TerrainSettings, seed: number): Terrain {
    const { xMin, xMax, ramps, craters, boulders } = settings;
    if (!(Number.isFinite(xMin) && Number.isFinite(xMax) && xMax > xMin)) {
      throw new LanderError(
        'invalid_scenario',
        `terrain span [${xMin}, ${xMax}] is empty: xMax must be greater than xMin`,
      );
    }
    const length = xMax - xMin;

    const rampCount = M.max(0, M.floor(ramps.count));
    const rampLength = rampCount > 0 ? length / rampCount : length;
    const knots = [settings.baseHeight];
    for (let i = 0; i < rampCount; i++) {
      const slopeDeg = uniformIn(
        -ramps.maxSlopeDeg,
        ramps.maxSlopeDeg,
        seed,
        RandomChannel.rampSlope,
        i,
      );
      knots.push(knots[i] + M.tan(slopeDeg * DEG) * rampLength);
    }

    const craterList: Crater[] = [];
    for (let i = 0; i < M.max(0, M.floor(craters.count)); i++) {
      const x = uniformIn(xMin, xMax, seed, RandomChannel.craterPlace, i, 0);
      const radius = uniformIn(
        craters.minRadius,
        craters.maxRadius,
        seed,
        RandomChannel.craterPlace,
        i,
        1,
      );
      craterList.push(makeCrater(x, radius, craters.depthRatio * radius));
    }

    const boulderList: Boulder[] = [];
    const boulderCount = M.max(0, M.round((boulders.perKm * length) / METRES_PER_KM));
    for (let i = 0; i < boulderCount; i++) {
      const x = uniformIn(xMin, xMax, seed, RandomChannel.boulderPlace, i, 0);
      const height = uniformIn(
        boulders.minHeight,
        boulders.maxHeight,
        seed,
        RandomChannel.boulderPlace,
        i,
        1,
      );
      boulderList.push({ x, height, radius: BOULDER_RADIUS_PER_HEIGHT * height });
    }

    for (const feature of settings.features ?? []) {
      if (feature.kind === 'crater') {
        craterList.push(makeCrater(feature.x, feature.radius, feature.depth));
      } else {
        const radius = feature.radius ?? BOULDER_RADIUS_PER_HEIGHT * feature.height;
        boulderList.push({ x: feature.x, height: feature.height, radius });
      }
    }
    boulderList.sort((a, b) => a.x - b.x);

    return new Terrain(
      structuredClone(settings),
      knots,
      rampLength,
      craterList.map((c) => Object.freeze(c)),
      boulderList.map((b) => Object.freeze(b)),
    );
  }

  /** Ground height at `x`, m. Beyond the span the ramps continue level (craters still apply). */
  heightAt(x: number): number {
    return this.rampHeight(x) + this.craterDepthAt(x);
  }

  /**
   * Ground slope across a span of +/- `halfWidth` around `x` (by default the landing-gear
   * footprint), rad, always non-negative: atan(|h(x + w) - h(x - w)| / 2w).
   */
  slopeAt(x: number, halfWidth: number = FOOTPRINT_HALF_WIDTH): number {
    const rise = M.abs(this.heightAt(x + halfWidth) - this.heightAt(x - halfWidth));
    return M.atan(rise / (2 * halfWidth));
  }

  /** Boulders that reach within `halfWidth` of `x` (a boulder's own radius counts), sorted by x. */
  bouldersNear(x: number, halfWidth: number): Boulder[] {
    const found: Boulder[] = [];
    // Boulders are sorted by x; no radius exceeds the largest, so start the scan there.
    const reach = halfWidth + this.maxBoulderRadius;
    let i = this.firstBoulderAtOrAfter(x - reach);
    for (; i < this.boulders.length && this.boulders[i].x <= x + reach; i++) {
      const b = this.boulders[i];
      if (M.abs(b.x - x) <= halfWidth + b.radius) found.push(b);
    }
    return found;
  }

  private rampHeight(x: number): number {
    const { xMin } = this.settings;
    const last = this.knots.length - 1;
    if (last === 0) return this.knots[0];
    const position = (x - xMin) / this.rampLength;
    if (position <= 0) return this.knots[0];
    if (position >= last) return this.knots[last];
    const i = M.floor(position);
    const f = position - i;
    return this.knots[i] + (this.knots[i + 1] - this.knots[i]) * f;
  }

  private craterDepthAt(x: number): number {
    let sum = 0;
    for (const crater of this.craters) sum += craterHeight(crater, M.abs(x - crater.x));
    return sum;
  }

  private firstBoulderAtOrAfter(x: number): number {
    let lo = 0;
    let hi = this.boulders.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.boulders[mid].x < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
