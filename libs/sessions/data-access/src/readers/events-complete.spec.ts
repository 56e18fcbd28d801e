import { eventsComplete } from './events-complete';

describe('eventsComplete: may an ended session be graded on its stored events?', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  it('waits until the ingest has stored the end of the attempt graded', () => {
    // The gateway wrote the ended status at once; the ingest has not reached the end yet.
    expect(eventsComplete({ endedAt: ago(0) }, 1, now)).toBe(false);
    expect(eventsComplete({ endedAt: ago(0), endStoredIteration: 1 }, 1, now)).toBe(true);
  });

  it('on a revised session, waits for the end of the attempt asked for, not an earlier one', () => {
    expect(eventsComplete({ endedAt: ago(0), endStoredIteration: 1 }, 2, now)).toBe(false);
    expect(eventsComplete({ endedAt: ago(30), endStoredIteration: 1 }, 2, now)).toBe(false);
    expect(eventsComplete({ endedAt: ago(0), endStoredIteration: 2 }, 2, now)).toBe(true);
  });

  it('takes a session that ended before ends were marked as complete once it is old enough', () => {
    expect(eventsComplete({ endedAt: ago(5) }, 1, now)).toBe(false);
    expect(eventsComplete({ endedAt: ago(11) }, 1, now)).toBe(true);
    expect(eventsComplete({}, 1, now)).toBe(false);
  });
});
