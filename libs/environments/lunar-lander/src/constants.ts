/**
 * Physical constants of the simulator, each with where it comes from. Values marked "assumed" are
 * engineering choices for this simulator, not published figures; scenarios may not change any of
 * these (only the craft's masses, its initial state, the terrain and the sensors).
 */

const DEG = Math.PI / 180;

/** Standard gravity, used only to turn specific impulse into exhaust velocity (BIPM, exact). */
export const STANDARD_GRAVITY = 9.80665;

/** Surface gravity of the Moon, m/s^2 (NASA Moon Fact Sheet: 1.62). */
export const LUNAR_GRAVITY = 1.62;

/**
 * Full thrust of the descent engine, N. The Apollo LM descent propulsion system (DPS) gave about
 * 10,125 lbf = 45.04 kN (NASA TN D-7143, Apollo Experience Report: Descent Propulsion System).
 */
export const MAX_THRUST_N = 45_040;

/**
 * Throttle settings the engine accepts, as fractions of full thrust. The DPS throttled between
 * about 10 % and 60 %, or ran at full thrust; the range between was avoided because of nozzle
 * erosion (TN D-7143). `0` is engine off.
 */
export const THROTTLE_MIN = 0.1;
export const THROTTLE_MAX_THROTTLED = 0.6;
export const THROTTLE_FULL = 1;

/** Vacuum specific impulse of the descent engine, s (about 311 s, TN D-7143). */
export const SPECIFIC_IMPULSE_S = 311;

/** Effective exhaust velocity, m/s: Isp * g0 (about 3,050 m/s). */
export const EXHAUST_VELOCITY = SPECIFIC_IMPULSE_S * STANDARD_GRAVITY;

/**
 * Largest attitude slew rate, rad/s. Assumed: the LM's reaction control system could turn the
 * craft faster, but landing-phase attitude changes were commanded at a few degrees per second.
 */
export const MAX_ATTITUDE_RATE = 10 * DEG;

/** Largest commandable tilt of the thrust axis from vertical, rad (assumed: beyond this the craft thrusts sideways). */
export const MAX_PITCH = 75 * DEG;

/**
 * Touchdown limits of the landing gear: 10 ft/s vertical and 4 ft/s horizontal, on slopes up to
 * 12 degrees (NASA TN D-6850, Apollo Experience Report: Lunar Module Landing Gear Subsystem).
 */
export const MAX_TOUCHDOWN_VERTICAL_SPEED = 3;
export const MAX_TOUCHDOWN_HORIZONTAL_SPEED = 1.2;
export const MAX_GROUND_SLOPE = 12 * DEG;

/** Largest tilt of the craft from vertical at touchdown, rad (assumed: 6 degrees). */
export const MAX_TOUCHDOWN_TILT = 6 * DEG;

/**
 * Half the width of the landing-gear footprint, m. The LM's footpads sat on a circle about 9.4 m
 * across (TN D-6850); in two dimensions the gear spans 2 * 4.7 m.
 */
export const FOOTPRINT_HALF_WIDTH = 4.7;

/**
 * Tallest rock the gear can straddle, m. The gear was designed for protuberances of about 24 in
 * (0.61 m) under the footprint (TN D-6850).
 */
export const BOULDER_CLEARANCE = 0.6;

/**
 * A touchdown faster than this vertically destroys the craft rather than overloading the gear, m/s
 * (assumed: three times the gear limit).
 */
export const CRASH_VERTICAL_SPEED = 3 * MAX_TOUCHDOWN_VERTICAL_SPEED;

/** Default rates: physics at 50 Hz, agent decisions at 1 Hz (a scenario may choose others). */
export const DEFAULT_PHYSICS_HZ = 50;
export const DEFAULT_DECISION_HZ = 1;

/** Default mass of the craft without descent propellant, kg (Apollo 11 LM at landing: about 6,600 kg dry descent stage plus loaded ascent stage). */
export const DEFAULT_DRY_MASS_KG = 6_600;

/** Radius of a boulder's footprint as a fraction of its height, (assumed: a roughly round rock is about twice as wide as it is tall). */
export const BOULDER_RADIUS_PER_HEIGHT = 0.5;

/** Height of a crater's raised rim as a fraction of its depth (assumed, after the usual fresh-crater rim of a few tenths of the depth). */
export const CRATER_RIM_HEIGHT_RATIO = 0.25;

/** Distance outside a crater's radius over which its rim falls back to the surrounding ground, as a fraction of the radius (assumed). */
export const CRATER_RIM_FALLOFF_RATIO = 0.5;

/** Rays the radar altimeter samples across its beam (assumed: enough to find a rim or a ramp inside it). */
export const RADAR_RAY_COUNT = 9;

/** Altitude at which the terrain scanner's noise equals `SensorSettings.scanNoise`, m (the definition in `types.ts`). */
export const SCAN_NOISE_REFERENCE_ALTITUDE = 1_000;

/** Smallest fraction of `scanNoise` the scanner keeps close to the ground (assumed: it never becomes perfect). */
export const SCAN_NOISE_MIN_FACTOR = 0.05;

/**
 * The smallest boulder the scanner sees is BOULDER_DETECTION_MIN_HEIGHT + altitude /
 * BOULDER_DETECTION_ALTITUDE_SCALE, m (assumed: 0.2 m at the ground, 2.7 m at 1,000 m).
 */
export const BOULDER_DETECTION_MIN_HEIGHT = 0.2;
export const BOULDER_DETECTION_ALTITUDE_SCALE = 400;

/** Default terrain scan: 300 m either side of the craft, a height every 5 m (assumed). */
export const DEFAULT_SCAN_HALF_SPAN = 300;
export const DEFAULT_SCAN_SPACING = 5;

/** Most heights one scan may return (assumed: keeps a careless request from building a huge array). */
export const MAX_SCAN_SAMPLES = 2_001;
