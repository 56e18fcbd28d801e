import {
  EXHAUST_VELOCITY,
  LUNAR_GRAVITY,
  MAX_ATTITUDE_RATE,
  MAX_THRUST_N,
  THROTTLE_FULL,
} from './constants';
import { stepPhysics } from './physics';
import type { CraftState } from './types';

const dt = 1 / 50;
const g = LUNAR_GRAVITY;
const fullMassFlow = MAX_THRUST_N / EXHAUST_VELOCITY;

const aState = (over: Partial<CraftState> = {}): CraftState => ({
  t: 0,
  tick: 0,
  x: 0,
  z: 500,
  vx: 0,
  vz: -10,
  pitch: 0,
  pitchCommand: 0,
  throttle: 0,
  dryMass: 6_600,
  fuel: 800,
  ...over,
});

function run(state: CraftState, ticks: number): CraftState {
  let s = state;
  for (let i = 0; i < ticks; i++) s = stepPhysics(s, dt);
  return s;
}

describe('stepPhysics', () => {
  it('follows free fall exactly: z0 + v0 t - g t²/2 and v0 - g t', () => {
    const start = aState({ x: 12, vx: 3, z: 500, vz: -10 });
    const end = run(start, 250);
    const t = 5;
    expect(end.t).toBe(t);
    expect(end.tick).toBe(250);
    expect(end.z).toBeCloseTo(500 - 10 * t - 0.5 * g * t * t, 9);
    expect(end.vz).toBeCloseTo(-10 - g * t, 9);
    expect(end.x).toBeCloseTo(12 + 3 * t, 9);
    expect(end.vx).toBe(3);
    expect(end.fuel).toBe(800);
  });

  it('follows the rocket equation for a constant full-thrust vertical burn', () => {
    const start = aState({ throttle: THROTTLE_FULL });
    const seconds = 10;
    const end = run(start, seconds * 50);
    const m0 = start.dryMass + start.fuel;
    const m1 = m0 - fullMassFlow * seconds;
    const expectedVz = start.vz + EXHAUST_VELOCITY * Math.log(m0 / m1) - g * seconds;
    expect(Math.abs((end.dryMass + end.fuel - m1) / m1)).toBeLessThan(1e-9);
    expect(Math.abs((end.vz - expectedVz) / expectedVz)).toBeLessThan(1e-9);
    expect(end.vx).toBe(0);
    // about 148 kg burned and 19 m/s gained net of gravity
    expect(m0 - m1).toBeCloseTo(147.68, 1);
    expect(end.vz - start.vz).toBeCloseTo(EXHAUST_VELOCITY * Math.log(m0 / m1) - 16.2, 9);
  });

  it('splits the thrust along (sin pitch, cos pitch)', () => {
    const pitch = 0.3;
    const start = aState({ throttle: 0.5, pitch, pitchCommand: pitch, vz: 0 });
    const end = stepPhysics(start, dt);
    const m0 = start.dryMass + start.fuel;
    const dv = EXHAUST_VELOCITY * Math.log(m0 / (m0 - 0.5 * fullMassFlow * dt));
    expect(end.vx).toBeCloseTo(dv * Math.sin(pitch), 12);
    expect(end.vz).toBeCloseTo(dv * Math.cos(pitch) - g * dt, 12);
    expect(end.x).toBeCloseTo(0.5 * end.vx * dt, 12);
  });

  it('slews the attitude no faster than MAX_ATTITUDE_RATE and settles on the command', () => {
    let s = aState({ pitchCommand: 0.5 });
    const limit = MAX_ATTITUDE_RATE * dt;
    const pitches: number[] = [];
    for (let i = 0; i < 200; i++) {
      const next = stepPhysics(s, dt);
      expect(Math.abs(next.pitch - s.pitch)).toBeLessThanOrEqual(limit * (1 + 1e-12));
      pitches.push(next.pitch);
      s = next;
    }
    expect(pitches[0]).toBeCloseTo(limit, 15);
    expect(pitches[9]).toBeCloseTo(10 * limit, 12);
    // 0.5 rad at 10°/s takes about 2.86 s; after 4 s it sits exactly on the command
    expect(s.pitch).toBe(0.5);
    s = stepPhysics({ ...s, pitchCommand: -0.5 }, dt);
    expect(s.pitch).toBeCloseTo(0.5 - limit, 15);
  });

  it('stops the thrust the instant the propellant runs out, leaving exactly 0 kg', () => {
    const fuel = 0.3 * fullMassFlow * dt;
    const start = aState({ throttle: THROTTLE_FULL, fuel, vz: 0 });
    const end = stepPhysics(start, dt);
    const m0 = start.dryMass + fuel;
    expect(end.fuel).toBe(0);
    expect(end.vz).toBeCloseTo(EXHAUST_VELOCITY * Math.log(m0 / start.dryMass) - g * dt, 12);
    // starved: the throttle keeps its setting but only gravity acts from now on
    const after = stepPhysics(end, dt);
    expect(after.throttle).toBe(THROTTLE_FULL);
    expect(after.fuel).toBe(0);
    expect(after.vz).toBeCloseTo(end.vz - g * dt, 12);
  });

  it('with a throttle lag, moves the thrust toward the setting as a first-order lag', () => {
    const lag = 1;
    let s = aState({ throttle: THROTTLE_FULL, engineLevel: 0, vz: 0, z: 1e5 });
    let free = aState({ vz: 0, z: 1e5 });
    for (let i = 0; i < 50; i++) {
      s = stepPhysics(s, dt, lag);
      free = stepPhysics(free, dt);
    }
    // one time constant: 1 - 1/e of the way, exactly (the per-tick steps compose)
    expect(s.engineLevel).toBeCloseTo(1 - Math.exp(-1), 12);
    // the mean level over that second is 1/e: so is the thrust's share of a full-thrust second
    const m0 = 6_600 + 800;
    const fullSecond = EXHAUST_VELOCITY * Math.log(m0 / (m0 - fullMassFlow));
    const gained = s.vz - free.vz;
    expect(gained / fullSecond).toBeGreaterThan(Math.exp(-1) * 0.99);
    expect(gained / fullSecond).toBeLessThan(Math.exp(-1) * 1.01);

    // cut off: the thrust decays, and once within 1e-9 of the setting it is exactly off
    s = { ...s, throttle: 0 };
    const level = s.engineLevel as number;
    s = stepPhysics(s, dt, lag);
    expect(s.engineLevel).toBeCloseTo(level * Math.exp(-dt / lag), 12);
    for (let i = 0; i < 50 * 30; i++) s = stepPhysics(s, dt, lag);
    expect(s.engineLevel).toBe(0);
    const fuel = s.fuel;
    expect(stepPhysics(s, dt, lag).fuel).toBe(fuel);
  });

  it('without a lag, flies exactly as before and records no engine level', () => {
    const start = aState({ throttle: 0.4, pitch: 0.1, pitchCommand: 0.2 });
    const plain = stepPhysics(start, dt);
    expect(stepPhysics(start, dt, 0)).toEqual(plain);
    expect(plain).not.toHaveProperty('engineLevel');
  });

  it('never lets the propellant go negative over a long burn', () => {
    let s = aState({ throttle: THROTTLE_FULL, fuel: 50, z: 1e6 });
    for (let i = 0; i < 500; i++) {
      s = stepPhysics(s, dt);
      expect(s.fuel).toBeGreaterThanOrEqual(0);
    }
    expect(s.fuel).toBe(0);
  });
});
