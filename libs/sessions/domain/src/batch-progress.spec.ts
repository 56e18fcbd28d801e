import { batchProgress } from './batch-progress';

describe('batch progress', () => {
  it('counts sessions by status and is done only when all have ended', () => {
    expect(batchProgress(3, { running: 1, completed: 2 })).toEqual({
      counts: { running: 1, completed: 2, failed: 0, canceled: 0 },
      done: false,
    });
    expect(batchProgress(3, { completed: 1, failed: 1, canceled: 1 }).done).toBe(true);
    // Sessions not all visible yet: not done.
    expect(batchProgress(3, { completed: 2 }).done).toBe(false);
  });
});
