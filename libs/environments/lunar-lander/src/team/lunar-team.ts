import { defineTeam } from '@reverie/agent-team';
import type { EngineGauge } from '../types';

/** The three roles that land the craft; the Commander coordinates. */
export const DETECTOR = 'detector';
export const COMMANDER = 'commander';
export const NAVIGATOR = 'navigator';

export const LUNAR_TEAM = defineTeam({
  name: 'lunar',
  coordinator: COMMANDER,
  // The order they act in within a decision step: sense, decide, fly.
  roles: [DETECTOR, COMMANDER, NAVIGATOR],
});

export const PHASES = ['approach', 'braking', 'terminal', 'hover', 'abort'] as const;
/** The Commander's flight phase; retargeting is a change of site, recorded as its own action. */
export type Phase = (typeof PHASES)[number];

/** What the Detector tells the Commander at every step. */
export interface DetectorReport {
  /** The Detector's altitude estimate above the ground below, m. */
  altitude: number;
  vx: number;
  vz: number;
  x: number;
  fuel: number;
  mass: number;
  pitchDeg: number;
  /** A lagging engine's gauge, as read (absent when the engine follows each setting at once). */
  engine?: EngineGauge;
  /** The site the Commander chose, as the latest scan sees it. */
  site: SiteAssessment;
  /** Other sites the scan judged safe, nearest to the chosen one first (at most a few). */
  candidates: number[];
  /** Whether a new terrain scan was read at this step. */
  scanned: boolean;
}

export interface SiteAssessment {
  x: number;
  /** Unknown until a scan covers it. */
  safe: boolean | null;
  slopeDeg: number | null;
  /** Tallest boulder the scan saw under the footprint, m (0 when none). */
  boulderHeight: number | null;
  /**
   * How far the touchdown may miss the site, either way, before a boulder the scan saw taller than
   * the Detector's limit (its radius counted) reaches under the footprint, m (0: one already does;
   * the scan's half-span when none is near; absent while no scan covers the site).
   */
  clearance?: number;
}

/** What the Commander tells the Navigator: the phase and where to land. */
export interface Orders {
  phase: Phase;
  siteX: number;
}

/** What the Navigator sets on the engine and the attitude control. */
export interface NavigatorCommand {
  throttle: number;
  pitchDeg: number;
}
