import type { SessionEventBody } from '@reverie/contracts';
import { LanderError } from '../errors';
import { LanderSimulator } from '../simulator';
import type { Scenario } from '../types';
import { COMMANDER, NAVIGATOR } from './lunar-team';

/** What reached the craft at one step: an engine and attitude command, or the abort. */
export type RecordedCommand =
  { step: number; throttle: number; pitch: number } | { step: number; abort: true };

/** The commands a recorded landing sent to the craft, in step order (from its session events). */
export function recordedCommands(events: readonly SessionEventBody[]): RecordedCommand[] {
  const out: RecordedCommand[] = [];
  for (const e of events) {
    if (e.type !== 'action' || e.step === undefined) continue;
    if (e.actor === NAVIGATOR && e.name === 'command') {
      const { throttle, pitch } = e.params ?? {};
      if (typeof throttle !== 'number' || typeof pitch !== 'number')
        throw new LanderError(
          'invalid_command',
          `step ${e.step}: a recorded command needs numeric throttle and pitch`,
        );
      out.push({ step: e.step, throttle, pitch });
    } else if (e.actor === COMMANDER && e.name === 'abort') out.push({ step: e.step, abort: true });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** The scenario a recorded landing flew (its first environment observation). */
export function recordedScenario(events: readonly SessionEventBody[]): Scenario | null {
  for (const e of events) {
    if (e.type === 'observation' && e.actor === 'environment' && e.data.scenario)
      return e.data.scenario as Scenario;
  }
  return null;
}

/**
 * Flies `scenario` again with recorded commands, from the start or from a checkpointed simulator
 * (`from`), up to `untilStep` (exclusive) or the end. Deterministic: the same commands give the
 * same flight bit for bit, which is what counterfactual replay builds on.
 */
export function replayCommands(
  scenario: Scenario,
  commands: readonly RecordedCommand[],
  options: { from?: LanderSimulator; untilStep?: number } = {},
): LanderSimulator {
  const sim = options.from ?? LanderSimulator.start(scenario);
  for (const c of commands) {
    if (sim.done) break;
    if (c.step < sim.step) continue;
    if (options.untilStep !== undefined && c.step >= options.untilStep) break;
    if (c.step !== sim.step)
      throw new LanderError(
        'invalid_command',
        `recorded commands skip from step ${sim.step} to ${c.step}`,
      );
    if ('abort' in c) sim.abort();
    else {
      sim.command({ throttle: c.throttle, pitch: c.pitch });
      sim.advance();
    }
  }
  return sim;
}
