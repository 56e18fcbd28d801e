import {
  carriesFlight,
  extent,
  extractFlight,
  extractFlights,
  isAt,
  linearScale,
  pathOf,
} from './flight';

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

  /**
   * A managed landing the grader sent back twice, as GET /v1/sessions/:id/events returns it: attempt
   * 1's events carry no iteration; each later attempt starts with the grader's feedback
   * (`i<n>.revision-input`) and carries `iteration` on every event, its ids prefixed `i<n>.`
   * (ofIteration in the orchestrator). Each attempt flies the scenario from the start again.
   */
  const revised = (() => {
    let seq = 0;
    const ev = (iteration: number, fields: Record<string, unknown>) => {
      const clientEventId = `s${String(fields['step'])}.${String(fields['actor'])}.${String(fields['type'])}.${seq}`;
      seq += 1;
      return {
        id: `evt_${seq}`,
        seq,
        type: 'observation',
        ...fields,
        clientEventId: iteration === 1 ? clientEventId : `i${iteration}.${clientEventId}`,
        ...(iteration > 1 ? { iteration } : {}),
        receivedAt: '2026-11-01T10:00:00.000Z',
      } as { type: string; actor?: string; step?: number; data?: Record<string, unknown> };
    };
    const attempt = (iteration: number, touchdownAt: number, safe: boolean) => [
      ...(iteration > 1
        ? [
            ev(iteration, {
              type: 'message',
              role: 'user',
              actor: 'grader',
              step: 0,
              content: 'Touchdown too fast: brake earlier.',
            }),
          ]
        : []),
      ev(iteration, {
        actor: 'environment',
        step: 0,
        data: {
          scenario: { ...scenario, description: `attempt ${iteration}` },
          fuelLimit: 300,
          telemetry: telemetry(0, 1236),
        },
      }),
      ev(iteration, {
        type: 'message',
        actor: 'detector',
        step: 0,
        to: 'commander',
        content: '{"altitude":1236}',
      }),
      ev(iteration, { type: 'action', actor: 'navigator', step: 0, name: 'command' }),
      ev(iteration, { actor: 'environment', step: 0, data: { telemetry: telemetry(1, 600) } }),
      ev(iteration, {
        actor: 'environment',
        step: 1,
        data: { telemetry: telemetry(touchdownAt, 0) },
      }),
      ev(iteration, {
        actor: 'environment',
        step: 2,
        data: {
          result: {
            status: 'landed',
            safe,
            touchdown: { x: touchdownAt * 10, verticalSpeed: safe ? 0.5 : 4 },
            seconds: touchdownAt,
          },
        },
      }),
    ];
    return [...attempt(1, 40, false), ...attempt(2, 50, false), ...attempt(3, 60, true)];
  })();

  it('reads one flight per attempt of a session the grader sent back for revision', () => {
    const flights = extractFlights(revised);
    expect(flights.map((f) => f.iteration)).toEqual([1, 2, 3]);
    for (const [i, f] of flights.entries()) {
      expect(f.scenario?.description).toBe(`attempt ${i + 1}`);
      // Each attempt descends from the start altitude to the ground once: no jump back up.
      expect(f.samples.map((s) => s.altitude)).toEqual([1236, 600, 0]);
      expect(f.samples.map((s) => s.t)).toEqual([0, 1, 40 + i * 10]);
      expect(f.result?.touchdown?.x).toBe((40 + i * 10) * 10);
    }
    expect(flights.map((f) => f.result?.safe)).toEqual([false, false, true]);
  });

  it("gives the last attempt's flight by default, and any attempt's on request", () => {
    const last = extractFlight(revised);
    expect(last.scenario?.description).toBe('attempt 3');
    expect(last.samples.map((s) => s.altitude)).toEqual([1236, 600, 0]);
    expect(last.result?.safe).toBe(true);
    const first = extractFlight(revised, 1);
    expect(first.scenario?.description).toBe('attempt 1');
    expect(first.samples).toHaveLength(3);
    expect(first.result?.safe).toBe(false);
    expect(extractFlight(revised, 7)).toEqual({ scenario: null, samples: [], result: null });
  });

  it('lists an attempt that has begun but flown nothing yet, with an empty flight', () => {
    // Attempt 1, then only the grader's feedback that opens attempt 2.
    const running = revised.slice(0, 7);
    expect(running.at(-1)).toMatchObject({ actor: 'grader', iteration: 2 });
    const flights = extractFlights(running);
    expect(flights.map((f) => [f.iteration, f.samples.length, f.result?.safe])).toEqual([
      [1, 3, false],
      [2, 0, undefined],
    ]);
    expect(extractFlights([])).toEqual([]);
  });

  it('gives an empty flight for a session that is not a landing', () => {
    expect(extractFlight([{ type: 'message', actor: 'agent', data: {} }])).toEqual({
      scenario: null,
      samples: [],
      result: null,
    });
  });
});

describe('isAt (a step link of a revised session)', () => {
  const events = [
    { type: 'action', step: 3 },
    { type: 'action', step: 3, iteration: 2 },
    { type: 'action', step: 3, iteration: 3 },
  ];
  it("finds the step in the verdict's own attempt; without one, the first", () => {
    expect(events.findIndex((e) => isAt(e, { step: 3, attempt: 3 }))).toBe(2);
    expect(events.findIndex((e) => isAt(e, { step: 3, attempt: 1 }))).toBe(0);
    expect(events.findIndex((e) => isAt(e, { step: 3 }))).toBe(0);
    expect(events.findIndex((e) => isAt(e, { step: 4, attempt: 2 }))).toBe(-1);
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
