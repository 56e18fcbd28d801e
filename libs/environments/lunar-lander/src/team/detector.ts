import { M } from '../fast-math';
import {
  BOULDER_CLEARANCE,
  BOULDER_RADIUS_PER_HEIGHT,
  FOOTPRINT_HALF_WIDTH,
  MAX_GROUND_SLOPE,
} from '../constants';
import type { SensorReading, TerrainScan } from '../types';
import type { DetectorReport, SiteAssessment } from './lunar-team';
import { DETECTOR } from './lunar-team';
import type { RoleRuleSpace } from './role-rules';

const RAD_TO_DEG = 180 / M.PI;

/** The Detector's day-one parameters: what it trusts and how it judges a site. */
export const DETECTOR_DEFAULTS = {
  /** Read a new terrain scan every this many steps. */
  scanEvery: 5,
  /** Weight of the previous altitude estimate (0: use each radar reading as it is). */
  altitudeSmoothing: 0,
  /** A site is unsafe above this ground slope across the footprint, degrees (the gear's limit). */
  maxSlopeDeg: MAX_GROUND_SLOPE * RAD_TO_DEG,
  /** A site is unsafe when a seen boulder taller than this is under the footprint, m (the gear's clearance). */
  maxBoulderHeight: BOULDER_CLEARANCE,
  /** Extra clearance around the footprint when looking for boulders, m. */
  siteMargin: 0,
  /** Candidate sites are this far apart, m. */
  candidateSpacing: 10,
  /** How many candidates to report. */
  candidateCount: 3,
};
export type DetectorParams = typeof DETECTOR_DEFAULTS;

export const DETECTOR_RULES: RoleRuleSpace = {
  role: DETECTOR,
  params: {
    scanEvery: 'read a new terrain scan every this many steps',
    altitudeSmoothing: 'weight of the previous altitude estimate, 0 to 0.95',
    maxSlopeDeg: 'largest ground slope of a safe site, degrees',
    maxBoulderHeight: 'tallest boulder a safe site may have under the footprint, m',
    siteMargin: 'extra clearance around the footprint when looking for boulders, m',
    candidateSpacing: 'distance between candidate sites, m',
    candidateCount: 'how many candidate sites to report',
  },
  actions: { scan: {} },
};

export interface DetectorMemory {
  scan: TerrainScan | null;
  altitude: number | null;
}

/**
 * A first-attempt Detector: takes the radar altitude as it comes (optionally smoothed), reads a
 * terrain scan every few steps, and judges sites by slope across the footprint and by the
 * boulders the scan shows, with the gear's own limits. It knows nothing of how the sensors err.
 */
export function detect(
  reading: SensorReading,
  scan: TerrainScan | null,
  siteX: number,
  memory: DetectorMemory,
  params: DetectorParams,
): { report: DetectorReport; memory: DetectorMemory } {
  const latest = scan ?? memory.scan;
  const w = M.min(M.max(params.altitudeSmoothing, 0), 0.95);
  const altitude =
    memory.altitude === null
      ? reading.radarAltitude
      : w * memory.altitude + (1 - w) * reading.radarAltitude;
  const site = latest
    ? withClearance(latest, assessSite(latest, siteX, params), params)
    : unknownSite(siteX);
  return {
    report: {
      altitude,
      vx: reading.vx,
      vz: reading.vz,
      x: reading.x,
      fuel: reading.fuel,
      mass: reading.mass,
      pitchDeg: reading.pitch * RAD_TO_DEG,
      ...(reading.engine ? { engine: reading.engine } : {}),
      site,
      candidates: latest ? candidates(latest, siteX, params) : [],
      scanned: scan !== null,
    },
    memory: { scan: latest, altitude },
  };
}

function unknownSite(x: number): SiteAssessment {
  return { x, safe: null, slopeDeg: null, boulderHeight: null };
}

/** Judges the site at `x` from the scan, or leaves it unknown when the scan does not cover it. */
export function assessSite(scan: TerrainScan, x: number, params: DetectorParams): SiteAssessment {
  const left = heightAt(scan, x - FOOTPRINT_HALF_WIDTH);
  const right = heightAt(scan, x + FOOTPRINT_HALF_WIDTH);
  if (left === null || right === null) return unknownSite(x);
  const slopeDeg = M.atan(M.abs(right - left) / (2 * FOOTPRINT_HALF_WIDTH)) * RAD_TO_DEG;
  const reach = FOOTPRINT_HALF_WIDTH + M.max(params.siteMargin, 0);
  const boulderHeight = scan.boulders
    .filter((b) => M.abs(b.x - x) <= reach)
    .reduce((m, b) => M.max(m, b.height), 0);
  return {
    x,
    safe: slopeDeg <= params.maxSlopeDeg && boulderHeight <= params.maxBoulderHeight,
    slopeDeg,
    boulderHeight,
  };
}

/**
 * The site's clearance (`SiteAssessment.clearance`): the distance from the site to the nearest
 * boulder the scan saw taller than `maxBoulderHeight`, less the footprint's half-width, the margin
 * and the boulder's radius (a boulder's radius grows with its height). A site on open ground has
 * room to miss; one squeezed between boulders must be hit closely.
 */
export function withClearance(
  scan: TerrainScan,
  site: SiteAssessment,
  params: DetectorParams,
): SiteAssessment {
  if (site.safe === null) return site;
  const reach = FOOTPRINT_HALF_WIDTH + M.max(params.siteMargin, 0);
  let clearance = (scan.spacing * (scan.heights.length - 1)) / 2;
  for (const b of scan.boulders)
    if (b.height > params.maxBoulderHeight)
      clearance = M.min(
        clearance,
        M.max(M.abs(b.x - site.x) - reach - BOULDER_RADIUS_PER_HEIGHT * b.height, 0),
      );
  return { ...site, clearance };
}

function candidates(scan: TerrainScan, siteX: number, params: DetectorParams): number[] {
  const spacing = M.max(params.candidateSpacing, 1);
  const end = scan.x0 + scan.spacing * (scan.heights.length - 1);
  const found: number[] = [];
  for (let x = M.ceil(scan.x0 / spacing) * spacing; x <= end; x += spacing) {
    if (assessSite(scan, x, params).safe) found.push(x);
  }
  return found
    .sort((a, b) => M.abs(a - siteX) - M.abs(b - siteX))
    .slice(0, M.max(0, M.round(params.candidateCount)));
}

/** Linear interpolation in the scan's samples; null outside it. */
function heightAt(scan: TerrainScan, x: number): number | null {
  const i = (x - scan.x0) / scan.spacing;
  if (i < 0 || i > scan.heights.length - 1) return null;
  const i0 = M.floor(i);
  const i1 = M.min(i0 + 1, scan.heights.length - 1);
  const f = i - i0;
  return scan.heights[i0] * (1 - f) + scan.heights[i1] * f;
}
