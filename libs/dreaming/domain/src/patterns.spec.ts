import { findPatterns } from './patterns';
import { aLocalisation } from './testing/dream.builders';

describe('findPatterns', () => {
  it('groups by failure, role and ten-step range, most frequent first', () => {
    const patterns = findPatterns([
      aLocalisation({ sessionId: 'a', failure: 'out_of_fuel', role: 'commander', step: 120 }),
      aLocalisation({ sessionId: 'b', step: 51 }),
      aLocalisation({ sessionId: 'c', step: 59 }),
      aLocalisation({ sessionId: 'd', step: 50 }),
      aLocalisation({ sessionId: 'e', step: 55 }),
      aLocalisation({ sessionId: 'f', step: 60 }),
      aLocalisation({ sessionId: 'g', step: 52, role: 'detector' }),
    ]);
    expect(patterns[0]).toEqual({
      key: 'hazard|navigator|50-59',
      description: 'hazard: 4 sessions, the navigator went wrong around steps 50–59',
      count: 4,
      sessionIds: ['b', 'c', 'd', 'e'],
      roles: ['navigator'],
      steps: [50, 51, 55, 59],
    });
    expect(patterns.slice(1).map((p) => [p.key, p.count])).toEqual([
      ['out_of_fuel|commander|120-129', 1],
      ['hazard|navigator|60-69', 1],
      ['hazard|detector|50-59', 1],
    ]);
    expect(patterns[1].description).toBe(
      'out_of_fuel: 1 session, the commander went wrong around steps 120–129',
    );
  });

  it('keeps failures with no step or no role apart, and counts a session once', () => {
    const patterns = findPatterns([
      aLocalisation({ sessionId: 'a', failure: 'finds-the-error failed', role: null, step: null }),
      aLocalisation({ sessionId: 'b', failure: 'finds-the-error failed', role: null, step: null }),
      aLocalisation({ sessionId: 'b', failure: 'finds-the-error failed', role: null, step: null }),
      aLocalisation({ sessionId: 'c', failure: 'finds-the-error failed', role: null, step: 3 }),
    ]);
    expect(patterns.map((p) => [p.key, p.count, p.roles, p.steps])).toEqual([
      ['finds-the-error failed|-|unlocalised', 2, [], []],
      ['finds-the-error failed|-|0-9', 1, [], [3]],
    ]);
    expect(patterns[0].description).toBe(
      'finds-the-error failed: 2 sessions, the agent; where it went wrong could not be localised',
    );
    expect(patterns[1].description).toBe(
      'finds-the-error failed: 1 session, the agent went wrong around steps 0–9',
    );
  });

  it('finds nothing in nothing', () => {
    expect(findPatterns([])).toEqual([]);
  });
});
