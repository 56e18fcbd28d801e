import { eventSummary, lanesOf } from './lanes';

describe('timeline lanes', () => {
  it('puts the lunar team first and other actors after, in order of appearance', () => {
    expect(
      lanesOf([
        { actor: 'environment' },
        { actor: 'judge' },
        { actor: 'commander' },
        {},
        { actor: 'navigator' },
      ]),
    ).toEqual(['commander', 'navigator', 'environment', 'judge', 'agent']);
  });

  it('summarises messages with their addressee and actions with their parameters', () => {
    expect(eventSummary({ type: 'message', to: 'commander', content: 'site unsafe' })).toBe(
      '→ commander: site unsafe',
    );
    expect(eventSummary({ type: 'action', name: 'command', params: { throttle: 0.5 } })).toBe(
      'command {"throttle":0.5}',
    );
    expect(eventSummary({ type: 'error', code: 'E1', message: 'boom' })).toBe('E1: boom');
    expect(eventSummary({ type: 'tool_call', name: 'scan', input: { x: 1 } })).toBe('scan {"x":1}');
    expect(eventSummary({ type: 'tool_result', output: 'ok', isError: true })).toBe('error: ok');
  });
});
