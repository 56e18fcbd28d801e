import type { SessionStatus } from './session.schema';

export interface BatchProgress {
  counts: Record<SessionStatus, number>;
  /** Every session of the batch has ended. */
  done: boolean;
}

/**
 * A batch's progress from how many of its sessions are in each status. `done` needs all `total`
 * sessions to have ended, so a batch whose sessions are not all visible yet is never done.
 */
export function batchProgress(
  total: number,
  byStatus: Partial<Record<string, number>>,
): BatchProgress {
  const counts = {
    running: byStatus['running'] ?? 0,
    completed: byStatus['completed'] ?? 0,
    failed: byStatus['failed'] ?? 0,
    canceled: byStatus['canceled'] ?? 0,
  };
  const ended = counts.completed + counts.failed + counts.canceled;
  return { counts, done: counts.running === 0 && ended >= total };
}
