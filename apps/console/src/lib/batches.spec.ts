import { batchSummary, endedOf } from './batches';

describe('batch progress', () => {
  it('counts every status but running as ended', () => {
    expect(endedOf({ total: 6, counts: { running: 2, completed: 3, canceled: 1 } })).toBe(4);
    expect(endedOf({ total: 3, counts: { running: 3 } })).toBe(0);
  });

  it('names the ended statuses in a fixed order, leaves out empty ones, and the running last', () => {
    expect(
      batchSummary({ total: 15, counts: { running: 3, failed: 2, canceled: 0, completed: 10 } }),
    ).toBe('12 of 15 ended: 10 completed, 2 failed; 3 running');
    expect(batchSummary({ total: 4, counts: { running: 4 } })).toBe('0 of 4 ended; 4 running');
    expect(batchSummary({ total: 2, counts: { canceled: 2, running: 0 } })).toBe(
      '2 of 2 ended: 2 canceled',
    );
  });

  it('names a status it does not know after the known ones', () => {
    expect(batchSummary({ total: 3, counts: { expired: 1, completed: 2 } })).toBe(
      '3 of 3 ended: 2 completed, 1 expired',
    );
  });
});
