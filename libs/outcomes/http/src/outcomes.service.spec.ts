import { ApiError, parseOrThrow } from '@reverie/http';
import { regradeBodySchema } from './outcomes.service';

const refusal = (body: unknown) => {
  try {
    parseOrThrow(regradeBodySchema, body, 'regrade request');
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('accepted');
};

describe('regrade request', () => {
  it('takes named sessions or an agent with a limit', () => {
    expect(parseOrThrow(regradeBodySchema, { sessionIds: ['ses_1'] }, 'r')).toEqual({
      sessionIds: ['ses_1'],
    });
    expect(parseOrThrow(regradeBodySchema, { agentId: 'agt_1', limit: 5 }, 'r')).toEqual({
      agentId: 'agt_1',
      limit: 5,
    });
  });

  it('refuses both or neither, and a limit with named sessions, saying what to send', () => {
    expect(refusal({}).message).toMatch(/send exactly one of sessionIds .* or agentId/);
    expect(refusal({ sessionIds: ['ses_1'], agentId: 'agt_1' }).status).toBe(400);
    expect(refusal({ sessionIds: ['ses_1'], limit: 3 }).details).toEqual([
      { path: 'limit', message: 'goes only with agentId' },
    ]);
  });
});
