/**
 * The shapes the simulator, its scenarios, its sensors and its team share. Units are SI throughout
 * (m, s, kg, N, rad) unless a name says otherwise (`...Deg`). Coordinates are two-dimensional: `x`
 * is horizontal distance along the ground track (positive downrange), `z` is height above the
 * terrain datum (positive up). The craft's reference point is the bottom of its footpads.
 */

/** A scenario: everything a run needs, so the same scenario always flies the same way. */
export interface Scenario {
  /** Unique within its family, e.g. `easy-03`. */
  id: string;
  family: string;
  description?: string;
  /** Seeds the terrain and the sensor noise. */
  seed: number;
  craft: {
    /** Mass without descent propellant, kg. */
    dryMassKg: number;
    /** Descent propellant on board at the start, kg. */
    fuelKg: number;
    /**
     * The engine's response time, s: its thrust moves toward each new setting as a first-order lag
     * with this time constant (63 % of the way after one, 95 % after three). Absent or 0: the
     * engine gives each setting at once.
     */
    throttleLagSeconds?: number;
  };
  initial: {
    x: number;
    /** Height above the terrain directly below the craft at the start, m. */
    altitude: number;
    vx: number;
    /** Vertical speed, m/s, negative when descending. */
    vz: number;
    /** Tilt of the thrust axis from vertical, degrees; positive pushes toward +x. */
    pitchDeg: number;
    /** Engine setting at the start: 0 (off), 0.1 to 0.6, or 1. */
    throttle: number;
  };
  /** The planned landing site. */
  target: { x: number };
  terrain: TerrainSettings;
  sensors: SensorSettings;
  timing: {
    physicsHz: number;
    decisionHz: number;
    /** A run that has not touched down by then ends as `timeout`, s. */
    maxSeconds: number;
  };
}

export interface TerrainSettings {
  /** The terrain spans [xMin, xMax]; flying past either end is a failure (`out_of_bounds`). */
  xMin: number;
  xMax: number;
  /** Datum height at x = xMin, m. */
  baseHeight: number;
  /** Piecewise-linear ramps: this many segments, each with a slope drawn in [-maxDeg, maxDeg]. */
  ramps: { count: number; maxSlopeDeg: number };
  /** Bowl-shaped craters with raised rims; radius drawn in [minRadius, maxRadius], depth = depthRatio * radius. */
  craters: { count: number; minRadius: number; maxRadius: number; depthRatio: number };
  /** Boulders per kilometre of ground track, heights drawn in [minHeight, maxHeight]. */
  boulders: { perKm: number; minHeight: number; maxHeight: number };
  /** Extra craters or boulders placed on purpose (for example right on the planned site). */
  features?: Array<
    | { kind: 'crater'; x: number; radius: number; depth: number }
    | { kind: 'boulder'; x: number; height: number; radius?: number }
  >;
}

export interface SensorSettings {
  /** Standard deviation of the radar altimeter's noise, m. */
  radarNoise: number;
  /**
   * Constant error added to every radar altitude reading, m (a miscalibrated or degraded
   * altimeter: positive reads high). Absent means 0.
   */
  radarBias?: number;
  /** Half-angle of the radar beam, degrees: the altimeter reports the nearest return inside it. */
  radarBeamHalfAngleDeg: number;
  /** Standard deviation of the velocity sensor's noise, m/s (each axis). */
  velocityNoise: number;
  /** Standard deviation of the terrain scanner's height noise at 1,000 m altitude, m (scales with altitude). */
  scanNoise: number;
}

/** What the engine and attitude control are told to do; held until the next command. */
export interface Command {
  /** 0 (off), 0.1 to 0.6, or 1. Anything else is refused. */
  throttle?: number;
  /** Commanded tilt of the thrust axis from vertical, rad, within +/- MAX_PITCH. */
  pitch?: number;
}

/** The true state of the craft (what physics knows, not what sensors say). */
export interface CraftState {
  /** Simulated time since the start, s. */
  t: number;
  /** Physics steps taken. */
  tick: number;
  x: number;
  z: number;
  vx: number;
  vz: number;
  pitch: number;
  pitchCommand: number;
  /** The engine setting last commanded. */
  throttle: number;
  /**
   * The share of full thrust the engine gives now, moving toward `throttle` with the craft's
   * throttle lag. Absent: the engine gives `throttle` (no lag).
   */
  engineLevel?: number;
  dryMass: number;
  fuel: number;
}

export type FlightStatus =
  'flying' | 'landed' | 'crashed' | 'aborted' | 'timeout' | 'out_of_bounds';

/** Why a touchdown was not safe; a touchdown may have several. */
export type TouchdownViolation =
  'vertical_speed' | 'horizontal_speed' | 'tilt' | 'slope' | 'boulder' | 'out_of_fuel';

export interface TouchdownReport {
  /** `safe` only when no limit was broken. */
  verdict: 'safe' | 'hard' | 'tipped' | 'hazard' | 'crashed' | 'out_of_fuel';
  violations: TouchdownViolation[];
  t: number;
  x: number;
  verticalSpeed: number;
  horizontalSpeed: number;
  tiltDeg: number;
  slopeDeg: number;
  /** Tallest boulder under the footprint, m (0 when none). */
  boulderHeight: number;
  fuelUsed: number;
  fuelLeft: number;
  distanceToTarget: number;
}

/** Noisy sensor readings at one instant. */
export interface SensorReading {
  t: number;
  /** Radar altimeter: nearest terrain return inside the beam, m. */
  radarAltitude: number;
  vx: number;
  vz: number;
  /** Attitude from the inertial platform (exact). */
  pitch: number;
  /** Position along the ground track from inertial navigation (exact in this simulator). */
  x: number;
  /** Propellant gauge (exact), kg. */
  fuel: number;
  /** Current mass, kg. */
  mass: number;
  throttle: number;
  /** A lagging engine's gauge (exact): present only when the craft has a throttle lag. */
  engine?: EngineGauge;
}

/** What a lagging engine reports: how hard it burns now and how fast it follows a new setting. */
export interface EngineGauge {
  /** The share of full thrust the engine gives now. */
  level: number;
  /** The engine's response time (the craft's `throttleLagSeconds`), s. */
  lagSeconds: number;
}

/** Heights and rocks the terrain scanner sees around the craft. */
export interface TerrainScan {
  t: number;
  /** Sample positions start here and are `spacing` apart. */
  x0: number;
  spacing: number;
  heights: number[];
  /** Boulders tall enough to be seen from this altitude. */
  boulders: Array<{ x: number; height: number }>;
}

/** One telemetry sample: true state plus the engine setting, for plots and replay checks. */
export interface TelemetrySample {
  t: number;
  x: number;
  altitude: number;
  vx: number;
  vz: number;
  pitchDeg: number;
  throttle: number;
  /** With a throttle lag, the share of full thrust the engine gives (absent without a lag). */
  engineLevel?: number;
  fuel: number;
}

/** Everything needed to continue a run exactly: JSON-serialisable. */
export interface Checkpoint {
  scenarioId: string;
  state: CraftState;
  status: FlightStatus;
  fuelAtStart: number;
  touchdown: TouchdownReport | null;
}
