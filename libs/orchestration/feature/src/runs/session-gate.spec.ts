import { RUN_NOT_ACKNOWLEDGED } from '@reverie/sessions-data-access/readers';
import { skipReason, stopReason } from './session-gate';

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

describe('when a run under way stops', () => {
  it('goes on while its session runs or is not stored', () => {
    expect(stopReason({ status: 'running', iteration: 2 }, 2)).toBeNull();
    expect(stopReason(null, 1)).toBeNull();
  });

  it('stops once its attempt ended, saying how', () => {
    expect(stopReason({ status: 'canceled', endReason: 'changed my mind' }, 1)).toBe(
      'its session ended while it ran (canceled: changed my mind)',
    );
    expect(stopReason({ status: 'failed', iteration: 3 }, 3)).toBe(
      'its session ended while it ran (failed)',
    );
  });

  it("goes on past an earlier attempt's end and the gateway's cancel of a command it thought unsent", () => {
    // A revision's run starts before the ingest stores its start.
    expect(stopReason({ status: 'completed', iteration: 1 }, 2)).toBeNull();
    expect(stopReason({ status: 'canceled', endReason: RUN_NOT_ACKNOWLEDGED }, 1)).toBeNull();
  });
});
