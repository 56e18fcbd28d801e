import type { SessionEventBody } from '@reverie/contracts';
import { fact, lastResult } from './facts';

describe('fact helpers', () => {
  it('leaves out the unit and the moment when a fact has none', () => {
    expect(fact('steps', 'how many')).toEqual({ label: 'steps', description: 'how many' });
    expect(fact('tilt', 'at contact', '°', 'at touchdown')).toEqual({
      label: 'tilt',
      description: 'at contact',
      unit: '°',
      when: 'at touchdown',
    });
  });

  it('finds the last observation whose result passes the test', () => {
    const events = [
      { type: 'observation', step: 1, data: { result: { n: 1 } } },
      { type: 'observation', step: 2, data: { result: { n: 2 } } },
      { type: 'observation', step: 3, data: { telemetry: {} } },
    ] as unknown as SessionEventBody[];
    const found = lastResult(events, (r): r is { n: number } => typeof r.n === 'number');
    expect(found?.result).toEqual({ n: 2 });
    expect(found?.event.step).toBe(2);
    expect(lastResult(events, (r): r is { x: 1 } => 'x' in r)).toBeNull();
  });
});
