import { carriesFlight, extent, extractFlight, linearScale, pathOf } from './flight';

const scenario = {
  id: 'downrange-19',
  seed: 42,
  target: { x: 871 },
  initial: { x: 0, altitude: 1236, vx: 21, vz: -10, pitchDeg: 0, throttle: 0 },
  terrain: { xMin: -2000, xMax: 6000 },
};
const telemetry = (t: number, altitude: number) => ({
  t,
  x: t * 10,
  altitude,
  vx: 1,
  vz: -2,
  pitchDeg: 3,
  throttle: 0.5,
  fuel: 600 - t,
});

describe('extractFlight', () => {
  it('reads the scenario, each telemetry sample and the result of a landing', () => {
    const flight = extractFlight([
      { type: 'observation', actor: 'environment', step: 0, data: { scenario } },
      { type: 'message', actor: 'detector', step: 0, data: { telemetry: telemetry(9, 9) } },
      {
        type: 'observation',
        actor: 'environment',
        step: 0,
        data: { telemetry: telemetry(1, 1200) },
      },
      {
        type: 'observation',
        actor: 'environment',
        step: 1,
        data: { telemetry: telemetry(2, 1100) },
      },
      {
        type: 'observation',
        actor: 'environment',
        step: 2,
        data: { result: { status: 'landed', safe: true, touchdown: { verticalSpeed: 0.4 } } },
      },
    ]);
    expect(flight.scenario?.id).toBe('downrange-19');
    expect(flight.samples.map((s) => [s.t, s.altitude, s.step])).toEqual([
      [0, 1236, 0],
      [1, 1200, 0],
      [2, 1100, 1],
    ]);
    expect(flight.result).toMatchObject({ status: 'landed', safe: true });
  });

  it("reads a lagging engine's level where the telemetry has one, and only there", () => {
    const flight = extractFlight([
      { type: 'observation', actor: 'environment', step: 0, data: { scenario } },
      {
        type: 'observation',
        actor: 'environment',
        step: 1,
        data: { telemetry: { ...telemetry(1, 1200), engineLevel: 0.37 } },
      },
      {
        type: 'observation',
        actor: 'environment',
        step: 2,
        data: { telemetry: { ...telemetry(2, 1100), engineLevel: 'high' } },
      },
    ]);
    expect(flight.samples.map((s) => s.engineLevel)).toEqual([undefined, 0.37, undefined]);
    expect(flight.samples[0]).not.toHaveProperty('engineLevel');
  });

  it('gives an empty flight for a session that is not a landing', () => {
    expect(extractFlight([{ type: 'message', actor: 'agent', data: {} }])).toEqual({
      scenario: null,
      samples: [],
      result: null,
    });
  });
});

describe('carriesFlight', () => {
  it('is true when the simulator reported a scenario, whatever the environment is called', () => {
    expect(carriesFlight([{ type: 'observation', actor: 'environment', data: { scenario } }])).toBe(
      true,
    );
    expect(
      carriesFlight([
        { type: 'observation', actor: 'detector', data: { scenario } },
        { type: 'tool_call', actor: 'environment', data: { scenario } },
        { type: 'observation', actor: 'environment', data: { telemetry: telemetry(1, 2) } },
      ]),
    ).toBe(false);
    expect(carriesFlight([])).toBe(false);
  });
});

describe('scales', () => {
  it('maps a domain onto a (flipped) pixel range', () => {
    const y = linearScale([0, 1000], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(500)).toBe(100);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });

  it('pads extents and draws paths', () => {
    expect(extent([0, 100], 0.1)).toEqual([-10, 110]);
    expect(extent([])).toEqual([0, 1]);
    expect(
      pathOf([
        [0, 0],
        [1.25, 2],
      ]),
    ).toBe('M0.0,0.0L1.3,2.0');
  });
});
