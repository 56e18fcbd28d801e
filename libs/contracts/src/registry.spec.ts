import { decodeMessage, messageKey, validateMessage } from './registry';
import { TOPICS, deadLetterTopic } from './topics.constant';

const appended = {
  id: '2f1c7a52-6f7a-5b8e-9c1d-0a1b2c3d4e5f',
  type: 'session.event_appended',
  tenantId: 'acme',
  agentId: 'agt_1',
  sessionId: 'ses_1',
  occurredAt: '2026-11-22T10:00:00.000Z',
  schemaVersion: 1,
  payload: {
    receivedAt: '2026-11-22T10:00:00.100Z',
    event: {
      clientEventId: 'e-1',
      type: 'action',
      name: 'throttle',
      params: { value: 0.6 },
      actor: 'navigator',
      step: 41,
    },
  },
};

describe('session topic contract', () => {
  it('accepts every session event kind', () => {
    const kinds = [
      { type: 'message', role: 'agent', content: 'go for landing', to: 'navigator' },
      { type: 'tool_call', toolCallId: 't1', name: 'grep', input: { pattern: 'FAIL' } },
      { type: 'tool_result', toolCallId: 't1', output: 'line 12', isError: false },
      { type: 'observation', data: { altitude: 120.5 } },
      { type: 'action', name: 'throttle' },
      { type: 'error', message: 'sensor dropout', code: 'E42' },
    ];
    for (const event of kinds) {
      const result = validateMessage(TOPICS.sessionEvents, {
        ...appended,
        payload: { ...appended.payload, event: { clientEventId: 'x', ...event } },
      });
      expect({ type: event.type, ok: result.ok }).toEqual({ type: event.type, ok: true });
    }
  });

  it('accepts the lifecycle events', () => {
    const base = { ...appended, id: 'msg_1' };
    expect(
      validateMessage(TOPICS.sessionEvents, {
        ...base,
        type: 'session.started',
        payload: { source: 'external' },
      }).ok,
    ).toBe(true);
    expect(
      validateMessage(TOPICS.sessionEvents, {
        ...base,
        type: 'session.ended',
        payload: { status: 'failed', reason: 'crashed' },
      }).ok,
    ).toBe(true);
    expect(
      validateMessage(TOPICS.sessionEvents, {
        ...base,
        type: 'session.feedback_submitted',
        payload: { feedbackId: 'fbk_1', rating: 'negative' },
      }).ok,
    ).toBe(true);
  });

  it('says which field is wrong', () => {
    const result = validateMessage(TOPICS.sessionEvents, {
      ...appended,
      sessionId: undefined,
      payload: { ...appended.payload, event: { clientEventId: 'e', type: 'action' } },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/sessionId/);
    expect(result.reason).toMatch(/payload\.event\.name/);
  });

  it('refuses an unknown schema version and an unknown type', () => {
    expect(validateMessage(TOPICS.sessionEvents, { ...appended, schemaVersion: 2 }).ok).toBe(false);
    expect(validateMessage(TOPICS.sessionEvents, { ...appended, type: 'session.paused' }).ok).toBe(
      false,
    );
  });

  it('decodes raw Kafka values without throwing', () => {
    expect(
      decodeMessage(TOPICS.sessionEvents, Buffer.from(JSON.stringify(appended))),
    ).toMatchObject({ ok: true });
    expect(decodeMessage(TOPICS.sessionEvents, null)).toEqual({
      ok: false,
      reason: 'message has no value',
    });
    expect(decodeMessage(TOPICS.sessionEvents, Buffer.from('{nope'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^value is not JSON/),
    });
  });

  it('names topics by version and dead-letter topics after them', () => {
    expect(TOPICS.sessionEvents).toMatch(/^reverie\.[a-z]+\.[a-z]+\.v\d+$/);
    expect(deadLetterTopic(TOPICS.sessionEvents)).toBe('reverie.sessions.events.v1.dlq');
  });

  it('keys session messages by session and playbook versions by agent and role', () => {
    expect(messageKey(TOPICS.sessionEvents, appended as never)).toBe('ses_1');
    const version = {
      ...appended,
      id: 'msg_2',
      sessionId: undefined,
      type: 'playbook.version_activated' as const,
      payload: { playbookId: 'pb_1', role: 'navigator', version: 3, entries: [] },
    };
    expect(validateMessage(TOPICS.playbookVersions, version).ok).toBe(true);
    expect(messageKey(TOPICS.playbookVersions, version as never)).toBe('acme/agt_1/navigator');
    expect(
      messageKey(TOPICS.playbookVersions, {
        ...version,
        payload: { ...version.payload, role: null },
      } as never),
    ).toBe('acme/agt_1');
  });
});
