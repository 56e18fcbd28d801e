import { M } from './fast-math';
import { parseCheckpoint } from './checkpoint';
import { DEFAULT_SCAN_HALF_SPAN, DEFAULT_SCAN_SPACING } from './constants';
import { commandError, pitchError, throttleError } from './command';
import { LanderError } from './errors';
import { stepPhysics } from './physics';
import { scanTerrain, senseAt, type SensorInput } from './sensors';
import { Terrain } from './terrain';
import { classifyTouchdown } from './touchdown';
import type {
  Checkpoint,
  Command,
  CraftState,
  FlightStatus,
  Scenario,
  SensorReading,
  TelemetrySample,
  TerrainScan,
  TouchdownReport,
} from './types';

const DEG = M.PI / 180;

/**
 * A seeded, deterministic 2-D lunar descent. Commands are held between decisions; `advance` runs
 * physicsHz / decisionHz physics ticks (or fewer when the run ends). The same scenario and the same
 * commands always give bit-identical states, and a checkpoint continues a run exactly.
 */
export class LanderSimulator {
  private readonly dt: number;
  private readonly ticksPerDecision: number;

  private constructor(
    private readonly spec: Scenario,
    private readonly ground: Terrain,
    private current: CraftState,
    private currentStatus: FlightStatus,
    private readonly fuelAtStart: number,
    private report: TouchdownReport | null,
  ) {
    this.dt = 1 / spec.timing.physicsHz;
    this.ticksPerDecision = spec.timing.physicsHz / spec.timing.decisionHz;
  }

  /** Starts a run at the scenario's initial state, `initial.altitude` above the ground below it. */
  static start(scenario: Scenario): LanderSimulator {
    checkTiming(scenario);
    const { initial, craft } = scenario;
    const throttleProblem = throttleError(initial.throttle);
    const pitchProblem = pitchError(initial.pitchDeg * DEG);
    if (throttleProblem || pitchProblem) {
      throw new LanderError('invalid_scenario', `initial ${throttleProblem ?? pitchProblem}`);
    }
    const spec = structuredClone(scenario);
    const terrain = Terrain.generate(spec.terrain, spec.seed);
    // `+ 0` turns -0 into 0: JSON cannot carry -0, and a checkpoint must restore bit-identically.
    const pitch = initial.pitchDeg * DEG + 0;
    const state: CraftState = {
      t: 0,
      tick: 0,
      x: initial.x + 0,
      z: terrain.heightAt(initial.x) + initial.altitude + 0,
      vx: initial.vx + 0,
      vz: initial.vz + 0,
      pitch,
      pitchCommand: pitch,
      throttle: initial.throttle + 0,
      ...(lagOf(spec) > 0 ? { engineLevel: initial.throttle + 0 } : {}),
      dryMass: craft.dryMassKg,
      fuel: craft.fuelKg,
    };
    return new LanderSimulator(spec, terrain, state, 'flying', craft.fuelKg, null);
  }

  /** Continues a run from a checkpoint of the same scenario (for example after a JSON round trip). */
  static restore(scenario: Scenario, checkpoint: Checkpoint): LanderSimulator {
    checkTiming(scenario);
    const cp = parseCheckpoint(scenario, checkpoint);
    const spec = structuredClone(scenario);
    const terrain = Terrain.generate(spec.terrain, spec.seed);
    return new LanderSimulator(spec, terrain, cp.state, cp.status, cp.fuelAtStart, cp.touchdown);
  }

  get scenario(): Scenario {
    return structuredClone(this.spec);
  }

  get terrain(): Terrain {
    return this.ground;
  }

  /** The true state (a frozen copy). */
  get state(): Readonly<CraftState> {
    return Object.freeze({ ...this.current });
  }

  get status(): FlightStatus {
    return this.currentStatus;
  }

  /** The touchdown report once the craft has touched the ground, else null. */
  get touchdown(): TouchdownReport | null {
    return this.report && structuredClone(this.report);
  }

  get done(): boolean {
    return this.currentStatus !== 'flying';
  }

  /** Decisions elapsed: a decision period cut short by the end of the run counts as one. */
  get step(): number {
    return M.ceil(this.current.tick / this.ticksPerDecision);
  }

  /** True height above the ground directly below the craft, m. */
  get altitude(): number {
    return this.current.z - this.ground.heightAt(this.current.x);
  }

  /**
   * Sets the throttle and/or the commanded pitch, held until the next command. Both are checked
   * before either is applied, so a refused command changes nothing.
   */
  command(cmd: Command): void {
    this.assertFlying('command');
    const problem = commandError(cmd);
    if (problem) throw new LanderError('invalid_command', problem);
    this.current = {
      ...this.current,
      throttle: cmd.throttle !== undefined ? cmd.throttle + 0 : this.current.throttle,
      pitchCommand: cmd.pitch !== undefined ? cmd.pitch + 0 : this.current.pitchCommand,
    };
  }

  /** Runs one decision period of physics, or less if the run ends; does nothing once it has ended. */
  advance(): void {
    for (let i = 0; i < this.ticksPerDecision && !this.done; i++) this.tick();
  }

  /** Ends the run by choice. */
  abort(): void {
    this.assertFlying('abort');
    this.currentStatus = 'aborted';
  }

  /** Noisy sensor readings for the current tick (the same tick always reads the same). */
  sense(): SensorReading {
    return senseAt(this.sensorInput());
  }

  /** Terrain heights and visible boulders within `halfSpan` of the craft, every `spacing` m. */
  scan(halfSpan = DEFAULT_SCAN_HALF_SPAN, spacing = DEFAULT_SCAN_SPACING): TerrainScan {
    return scanTerrain(this.sensorInput(), halfSpan, spacing);
  }

  /** True values for plots and replay checks. */
  telemetry(): TelemetrySample {
    const s = this.current;
    return {
      t: s.t,
      x: s.x,
      altitude: this.altitude,
      vx: s.vx,
      vz: s.vz,
      pitchDeg: s.pitch / DEG,
      throttle: s.throttle,
      ...(s.engineLevel === undefined ? {} : { engineLevel: s.engineLevel }),
      fuel: s.fuel,
    };
  }

  /** Everything needed to continue exactly; plain JSON. */
  checkpoint(): Checkpoint {
    return {
      scenarioId: this.spec.id,
      state: { ...this.current },
      status: this.currentStatus,
      fuelAtStart: this.fuelAtStart,
      touchdown: this.report && structuredClone(this.report),
    };
  }

  private tick(): void {
    const before = this.current;
    const after = stepPhysics(before, this.dt, lagOf(this.spec));
    const aglBefore = before.z - this.ground.heightAt(before.x);
    const aglAfter = after.z - this.ground.heightAt(after.x);

    if (aglAfter <= 0) {
      // Contact: interpolate linearly in AGL to the instant it reached zero within the tick.
      const f = aglBefore > 0 ? aglBefore / (aglBefore - aglAfter) : 0;
      const lerp = (a: number, b: number) => a + f * (b - a);
      const contact: CraftState = {
        ...after,
        t: lerp(before.t, after.t),
        x: lerp(before.x, after.x),
        z: lerp(before.z, after.z),
        vx: lerp(before.vx, after.vx),
        vz: lerp(before.vz, after.vz),
        fuel: lerp(before.fuel, after.fuel),
      };
      this.current = contact;
      this.report = classifyTouchdown({
        ...contact,
        fuelAtStart: this.fuelAtStart,
        targetX: this.spec.target.x,
        terrain: this.ground,
      });
      this.currentStatus = this.report.verdict === 'crashed' ? 'crashed' : 'landed';
      return;
    }

    this.current = after;
    const { xMin, xMax } = this.spec.terrain;
    if (after.x < xMin || after.x > xMax) this.currentStatus = 'out_of_bounds';
    else if (after.t >= this.spec.timing.maxSeconds) this.currentStatus = 'timeout';
  }

  private sensorInput(): SensorInput {
    return {
      seed: this.spec.seed,
      sensors: this.spec.sensors,
      terrain: this.ground,
      state: this.current,
      engineLagSeconds: lagOf(this.spec),
    };
  }

  private assertFlying(action: string): void {
    if (this.done) {
      throw new LanderError(
        'invalid_command',
        `cannot ${action}: the run has ended (${this.currentStatus})`,
      );
    }
  }
}

/** The craft's throttle lag, s (0 when the scenario sets none). */
function lagOf(scenario: Scenario): number {
  return scenario.craft.throttleLagSeconds ?? 0;
}

function checkTiming(scenario: Scenario): void {
  const { physicsHz, decisionHz, maxSeconds } = scenario.timing;
  const ok =
    physicsHz > 0 &&
    decisionHz > 0 &&
    Number.isInteger(physicsHz / decisionHz) &&
    Number.isFinite(maxSeconds) &&
    maxSeconds > 0;
  if (!ok) {
    throw new LanderError(
      'invalid_scenario',
      `timing ${physicsHz} Hz physics / ${decisionHz} Hz decisions / ${maxSeconds} s is unusable: ` +
        'both rates must be positive, physicsHz a whole multiple of decisionHz, maxSeconds > 0',
    );
  }
}
