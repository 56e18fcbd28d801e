import { skipReason } from './session-gate';

describe('which run commands the orchestrator runs', () => {
  it('runs the command of a running session, and of one not stored', () => {
    expect(skipReason({ status: 'running' })).toBeNull();
    expect(skipReason(null)).toBeNull();
  });

  it('skips the command of a session that has ended, saying why', () => {
    expect(skipReason({ status: 'canceled', endReason: 'not acknowledged' })).toBe(
      'session is canceled (not acknowledged)',
    );
    expect(skipReason({ status: 'completed' })).toBe('session is completed');
    expect(skipReason({ status: 'failed', endReason: null })).toBe('session is failed');
  });
});
