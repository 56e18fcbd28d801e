import { commandError, pitchError, throttleError } from './command';
import { LanderError } from './errors';
import { LanderSimulator } from './simulator';
import { aScenario } from './testing/scenario.builder';

const DEG = Math.PI / 180;
const RANGE = /0 \(off\), 0\.1 to 0\.6, or 1 \(full thrust\)/;

describe('command validation', () => {
  it.each([0, 0.1, 0.35, 0.6, 1])('accepts throttle %p', (throttle) => {
    expect(throttleError(throttle)).toBeNull();
    const sim = LanderSimulator.start(aScenario());
    sim.command({ throttle });
    expect(sim.state.throttle).toBe(throttle);
  });

  it.each([0.05, 0.7, 0.95, 1.2, -0.1, Number.NaN, Infinity])(
    'refuses throttle %p, naming the range',
    (throttle) => {
      const sim = LanderSimulator.start(aScenario());
      let error: unknown;
      try {
        sim.command({ throttle });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LanderError);
      expect((error as LanderError).code).toBe('invalid_command');
      expect((error as LanderError).message).toMatch(RANGE);
      expect(sim.state.throttle).toBe(0);
    },
  );

  it('words an out-of-range throttle as the brief says', () => {
    expect(throttleError(0.75)).toBe(
      "throttle 0.75 is outside the descent engine's range: 0 (off), 0.1 to 0.6, or 1 (full thrust)",
    );
  });

  it('accepts a pitch up to ±75° and refuses one beyond, in degrees', () => {
    expect(pitchError(75 * DEG)).toBeNull();
    expect(pitchError(-75 * DEG)).toBeNull();
    expect(pitchError(80 * DEG)).toMatch(/^pitch 80° .* beyond the attitude limit of ±75°$/);
    expect(pitchError(Number.NaN)).toMatch(/not a finite number/);
    const sim = LanderSimulator.start(aScenario());
    expect(() => sim.command({ pitch: -1.5 })).toThrow(/pitch -85\.9° .*±75°/);
  });

  it('applies nothing from a command with any bad part', () => {
    const sim = LanderSimulator.start(aScenario());
    expect(() => sim.command({ throttle: 0.5, pitch: 2 })).toThrow(LanderError);
    expect(sim.state).toMatchObject({ throttle: 0, pitchCommand: 0 });
    sim.command({ throttle: 0.5, pitch: 0.2 });
    expect(sim.state).toMatchObject({ throttle: 0.5, pitchCommand: 0.2 });
    sim.command({ pitch: -0.1 }); // the throttle is held
    expect(sim.state).toMatchObject({ throttle: 0.5, pitchCommand: -0.1 });
  });

  it('refuses something that is not a command', () => {
    expect(commandError(null as never)).toMatch(/must be an object/);
    expect(commandError({ throttle: '1' as never })).toMatch(/not a finite number/);
  });
});
