import type { SessionEventBody } from '@reverie/contracts';

/** A valid session event with full defaults; override what the test cares about. */
export function anEvent(
  overrides: Partial<SessionEventBody> & { clientEventId: string },
): SessionEventBody {
  return {
    type: 'message',
    role: 'assistant',
    content: `event ${overrides.clientEventId}`,
    ...overrides,
  } as SessionEventBody;
}

/** `count` events of mixed types with ids `<prefix>-0`, `<prefix>-1`, ... */
export function someEvents(count: number, prefix = 'e', from = 0): SessionEventBody[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const clientEventId = `${prefix}-${i}`;
    switch (i % 4) {
      case 0:
        return anEvent({ clientEventId, step: i });
      case 1:
        return {
          clientEventId,
          type: 'tool_call',
          toolCallId: `call-${i}`,
          name: 'read_log',
          input: { line: i },
          step: i,
        };
      case 2:
        return {
          clientEventId,
          type: 'tool_result',
          toolCallId: `call-${i - 1}`,
          output: { text: `line ${i}` },
          step: i,
        };
      default:
        return {
          clientEventId,
          type: 'observation',
          data: { altitude: 1_000 - i },
          actor: 'detector',
          step: i,
        };
    }
  });
}

/** An agent body with full defaults. */
export function anAgent(overrides: Record<string, unknown> = {}) {
  return {
    name: `agent-${Math.random().toString(36).slice(2, 8)}`,
    roles: [{ name: 'navigator' }, { name: 'detector' }],
    model: { provider: 'builtin' },
    dreaming: { enabled: true, frequency: 'daily', window: { start: '01:00', end: '05:00' } },
    ...overrides,
  };
}
