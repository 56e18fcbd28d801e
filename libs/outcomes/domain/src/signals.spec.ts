import { triage } from '../test/session-fixtures';
import { automaticSignals } from './signals';

describe('automaticSignals', () => {
  it('reports tool errors not recovered from, error events and user corrections, in order', () => {
    const events = [
      triage.say(0, 'user', 'Triage build 17.'), // before the agent spoke: the task, not a correction
      triage.say(1, 'assistant', 'Reading the log.'),
      ...triage.tool(1, 'search', { pattern: '(' }, 'invalid regular expression'),
      ...triage.tool(2, 'search', { pattern: 'ERROR' }), // recovered: a later search succeeded
      ...triage.tool(3, 'read_lines', { start: 0 }, 'start must be at least 1'), // never retried
      triage.error(4, 'the model stopped', 'max_turns'),
      triage.say(5, 'user', 'No, look at the compiler error instead.'),
    ];
    expect(automaticSignals(events)).toEqual([
      { kind: 'unrecovered_tool_error', step: 3, detail: 'read_lines: start must be at least 1' },
      { kind: 'error', step: 4, detail: 'max_turns: the model stopped' },
      { kind: 'user_correction', step: 5, detail: 'No, look at the compiler error instead.' },
    ]);
  });

  it('a tool that failed after its last success is unrecovered', () => {
    const events = [
      ...triage.tool(1, 'search', { q: 'a' }),
      ...triage.tool(2, 'search', { q: '(' }, 'bad pattern'),
    ];
    expect(automaticSignals(events)).toEqual([
      { kind: 'unrecovered_tool_error', step: 2, detail: 'search: bad pattern' },
    ]);
  });
});
