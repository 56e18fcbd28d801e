import { inTurnByFamily, ReplayRation } from './split';

describe('inTurnByFamily', () => {
  it('orders every item in turn from each family, keeping each family’s own order', () => {
    const items = [
      { id: 'a0', family: 'a' },
      { id: 'a1', family: 'a' },
      { id: 'a2', family: 'a' },
      { id: 'b0', family: 'b' },
      { id: 'x' },
      { id: 'b1', family: 'b' },
    ];
    expect(inTurnByFamily(items).map((i) => i.id)).toEqual(['a0', 'b0', 'x', 'a1', 'b1', 'a2']);
    expect(inTurnByFamily([])).toEqual([]);
  });
});

describe('ReplayRation', () => {
  it('replays a family until enough tries show its replays place too few, and counts what it held back', () => {
    const ration = new ReplayRation(4, 0.25);
    for (let i = 0; i < 4; i++) {
      expect(ration.worthReplaying('lagging')).toBe(true);
      ration.record('lagging', false);
    }
    expect(ration.worthReplaying('lagging')).toBe(false);
    expect(ration.worthReplaying('lagging')).toBe(false);
    // another family is judged on its own replays
    expect(ration.worthReplaying('easy')).toBe(true);
    expect(ration.summary()).toEqual(['lagging: 2 not replayed after 4 replay(s) placed 0']);
  });

  it('keeps replaying a family while at least the share of its replays place the failure', () => {
    const ration = new ReplayRation(4, 0.25);
    ration.record(undefined, true);
    for (let i = 0; i < 3; i++) ration.record(undefined, false);
    expect(ration.worthReplaying(undefined)).toBe(true); // 1 of 4
    ration.record(undefined, false);
    expect(ration.worthReplaying(undefined)).toBe(false); // 1 of 5
    expect(ration.summary()).toEqual(['no family: 1 not replayed after 5 replay(s) placed 1']);
  });
});
