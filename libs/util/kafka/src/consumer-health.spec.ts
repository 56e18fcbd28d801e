import { ConsumerHealth } from './consumer-health';

describe('ConsumerHealth liveness', () => {
  const call = { groupId: 'reverie-gateway', topic: 'reverie.sessions.events.v1', partition: 2 };

  it('names a handler call with no progress for longer than its limit, until it ends', () => {
    const health = new ConsumerHealth();
    const t = health.handlerStarted({ ...call, stallMs: 60_000 }, 0);
    expect(health.stalled(60_000)).toBeNull();
    expect(health.stalled(61_000)).toBe(
      'the reverie-gateway handler of reverie.sessions.events.v1[2] has made no progress for 61 s (limit 60 s)',
    );
    health.handlerEnded(t);
    expect(health.stalled(61_000)).toBeNull();
  });

  it('tells whether one call is stalled (what keeps its consumer in the group until then)', () => {
    const health = new ConsumerHealth();
    const t = health.handlerStarted({ ...call, stallMs: 60_000 }, 0);
    expect(health.isStalled(t, 60_000)).toBe(false);
    expect(health.isStalled(t, 61_000)).toBe(true);
    health.handlerProgress(t, 61_000);
    expect(health.isStalled(t, 100_000)).toBe(false);
    health.handlerEnded(t);
    expect(health.isStalled(t, 200_000)).toBe(false);
  });

  it('counts a heartbeat as progress, and names the longest-stalled of several', () => {
    const health = new ConsumerHealth();
    const a = health.handlerStarted({ ...call, stallMs: 10_000 }, 0);
    health.handlerStarted({ ...call, partition: 0, stallMs: 10_000 }, 5_000);
    health.handlerStarted({ ...call, partition: 1, stallMs: 600_000 }, 0);
    health.handlerProgress(a, 9_000);
    // Partition 0 started at 5 s; partition 2 heartbeated at 9 s; partition 1 may take 10 min.
    expect(health.stalled(16_000)).toMatch(/events\.v1\[0\] has made no progress for 11 s/);
    expect(health.stalled(20_000)).toMatch(
      /\[0\] has made no progress for 15 s .*; 1 more stalled$/,
    );
  });
});
