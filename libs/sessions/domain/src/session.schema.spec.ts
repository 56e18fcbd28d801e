import { SESSION_EVENT_TYPES, sessionEventBodySchema } from '@reverie/contracts';
import {
  apiEventBodySchema,
  listFeedbackQuerySchema,
  listSessionsQuerySchema,
  MAX_FEEDBACK_PER_SESSION,
} from './session.schema';

describe('apiEventBodySchema', () => {
  it('takes every event type of the contract', () => {
    expect(apiEventBodySchema.options.map((o) => o.shape.type.value)).toEqual(SESSION_EVENT_TYPES);
  });

  it('refuses a key the contract does not know, where the Kafka contract ignores it', () => {
    const event = { clientEventId: 'c1', type: 'observation', data: { a: 1 }, colour: 'red' };
    expect(sessionEventBodySchema.safeParse(event).success).toBe(true);
    const parsed = apiEventBodySchema.safeParse(event);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['colour'] });
    const usage = { inputTokens: 1, outputTokens: 2, cached: 3 };
    const call = { clientEventId: 'c2', type: 'model_call', provider: 'p', model: 'm', usage };
    expect(apiEventBodySchema.safeParse(call).error?.issues[0]).toMatchObject({
      path: ['usage'],
      keys: ['cached'],
    });
  });

  it('keeps free-form data free-form', () => {
    const event = { clientEventId: 'c1', type: 'action', name: 'go', params: { anything: 1 } };
    expect(apiEventBodySchema.parse(event)).toEqual(event);
  });
});

describe('listFeedbackQuerySchema', () => {
  it('pages like the other lists: limit (at most the per-session cap) and after_id', () => {
    expect(listFeedbackQuerySchema.parse({})).toEqual({ limit: MAX_FEEDBACK_PER_SESSION });
    expect(listFeedbackQuerySchema.parse({ limit: '5', after_id: 'fbk_1' })).toEqual({
      limit: 5,
      after_id: 'fbk_1',
    });
    for (const bad of [
      { limit: '0' },
      { limit: String(MAX_FEEDBACK_PER_SESSION + 1) },
      { x: '1' },
    ]) {
      expect(listFeedbackQuerySchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('listSessionsQuerySchema', () => {
  it('refuses an inverted range', () => {
    const inverted = { from: '2026-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' };
    expect(listSessionsQuerySchema.safeParse(inverted).error?.issues[0].path).toEqual(['to']);
  });
});
