import { pitchError, throttleError } from './command';
import { LanderError } from './errors';
import type { Checkpoint, CraftState, FlightStatus, Scenario, TouchdownReport } from './types';

const STATE_KEYS: ReadonlyArray<keyof CraftState> = [
  't',
  'tick',
  'x',
  'z',
  'vx',
  'vz',
  'pitch',
  'pitchCommand',
  'throttle',
  'dryMass',
  'fuel',
];
const STATUSES: readonly FlightStatus[] = [
  'flying',
  'landed',
  'crashed',
  'aborted',
  'timeout',
  'out_of_bounds',
];
const VERDICTS: ReadonlyArray<TouchdownReport['verdict']> = [
  'safe',
  'hard',
  'tipped',
  'hazard',
  'crashed',
  'out_of_fuel',
];

/**
 * Checks that a checkpoint (perhaps read back from JSON, so typed only by hope) belongs to this
 * scenario and is whole, and returns a clean copy holding only the known fields. Throws
 * LanderError('invalid_checkpoint') naming every problem otherwise.
 */
export function parseCheckpoint(scenario: Scenario, checkpoint: unknown): Checkpoint {
  if (!isRecord(checkpoint)) {
    throw new LanderError('invalid_checkpoint', 'checkpoint is not an object');
  }
  if (checkpoint['scenarioId'] !== scenario.id) {
    throw new LanderError(
      'invalid_checkpoint',
      `checkpoint belongs to scenario ${JSON.stringify(checkpoint['scenarioId'])}, not ${JSON.stringify(scenario.id)}`,
    );
  }

  const problems: Array<{ path: string; message: string }> = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  const status = checkpoint['status'];
  if (!STATUSES.includes(status as FlightStatus))
    problem('status', `unknown status ${JSON.stringify(status)}`);

  const fuelAtStart = checkpoint['fuelAtStart'];
  if (fuelAtStart !== scenario.craft.fuelKg) {
    problem(
      'fuelAtStart',
      `expected the scenario's ${scenario.craft.fuelKg} kg, got ${String(fuelAtStart)}`,
    );
  }

  const rawState = checkpoint['state'];
  const state = {} as CraftState;
  if (!isRecord(rawState)) {
    problem('state', 'missing or not an object');
  } else {
    for (const key of STATE_KEYS) {
      const value = rawState[key];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        problem(`state.${key}`, `expected a finite number, got ${String(value)}`);
      } else {
        state[key] = value;
      }
    }
    if (!Number.isInteger(state.tick) || state.tick < 0)
      problem('state.tick', 'expected a whole number ≥ 0');
    if (!(state.fuel >= 0 && state.fuel <= scenario.craft.fuelKg)) {
      problem('state.fuel', `expected 0 to ${scenario.craft.fuelKg} kg`);
    }
    for (const [key, message] of [
      ['throttle', throttleError(state.throttle)],
      ['pitch', pitchError(state.pitch)],
      ['pitchCommand', pitchError(state.pitchCommand)],
    ] as const) {
      if (message && typeof rawState[key] === 'number') problem(`state.${key}`, message);
    }
    const level = rawState['engineLevel'];
    if (level !== undefined) {
      if (typeof level === 'number' && level >= 0 && level <= 1) state.engineLevel = level;
      else problem('state.engineLevel', `expected a number from 0 to 1, got ${String(level)}`);
    }
    if (state.dryMass !== scenario.craft.dryMassKg) {
      problem('state.dryMass', `expected the scenario's ${scenario.craft.dryMassKg} kg`);
    }
  }

  const touchdown = checkpoint['touchdown'];
  const touchedDown = status === 'landed' || status === 'crashed';
  if (touchedDown) {
    if (
      !isRecord(touchdown) ||
      !VERDICTS.includes(touchdown['verdict'] as TouchdownReport['verdict'])
    ) {
      problem('touchdown', `a ${String(status)} run needs its touchdown report`);
    }
  } else if (touchdown !== null) {
    problem('touchdown', `a ${String(status)} run has no touchdown report; expected null`);
  }

  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new LanderError('invalid_checkpoint', `malformed checkpoint: ${summary}`, problems);
  }
  return {
    scenarioId: scenario.id,
    state,
    status: status as FlightStatus,
    fuelAtStart: fuelAtStart as number,
    touchdown: touchedDown ? (structuredClone(touchdown) as unknown as TouchdownReport) : null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
