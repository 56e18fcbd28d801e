import { ApiError, fieldProblems, parseOrThrow } from '@reverie/http';
import {
  createDreamSchema,
  dreamReportQuerySchema,
  listDreamsQuerySchema,
  toDreamSettings,
} from './dream-requests';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `ses_${i}`);

/** The 400 a body gets: its message and the paths of its details. */
function rejection(body: unknown) {
  try {
    parseOrThrow(createDreamSchema, body, 'dream request');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { status: err.status, message: err.message, paths: err.details?.map((d) => d.path) };
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

describe('createDreamSchema', () => {
  it('takes an agent alone: the sessions since its last dream, at most 200, builtin model', () => {
    const req = parseOrThrow(createDreamSchema, { agent_id: 'agt_1' }, 'dream request');
    expect(toDreamSettings(req)).toEqual({
      input: { type: 'since_last_dream', limit: 200 },
      model: { provider: 'builtin' },
      instructions: '',
    });
  });

  it('maps named sessions (each once, in order), instructions and an Anthropic model', () => {
    const req = parseOrThrow(
      createDreamSchema,
      {
        agent_id: 'agt_1',
        inputs: [{ type: 'sessions', session_ids: ['ses_b', 'ses_a', 'ses_b'] }],
        instructions: 'focus on hard landings',
        model: { provider: 'anthropic', model: 'claude-sonnet-4-5', max_tokens: 2048 },
      },
      'dream request',
    );
    expect(toDreamSettings(req)).toEqual({
      input: { type: 'sessions', sessionIds: ['ses_b', 'ses_a'] },
      model: { provider: 'anthropic', model: 'claude-sonnet-4-5', maxTokens: 2048 },
      instructions: 'focus on hard landings',
    });
  });

  it("fills what the request leaves out from the agent's dreaming model and instructions", () => {
    const agentDefaults = {
      model: { provider: 'anthropic' as const, model: 'claude-haiku-4-5' },
      instructions: 'prefer small changes',
    };
    const bare = parseOrThrow(createDreamSchema, { agent_id: 'agt_1' }, 'dream request');
    expect(toDreamSettings(bare, agentDefaults)).toMatchObject(agentDefaults);
    // What the request says wins, a builtin model included.
    const own = parseOrThrow(
      createDreamSchema,
      { agent_id: 'agt_1', model: { provider: 'builtin' }, instructions: 'look at fuel' },
      'dream request',
    );
    expect(toDreamSettings(own, agentDefaults)).toMatchObject({
      model: { provider: 'builtin' },
      instructions: 'look at fuel',
    });
  });

  it('keeps max_sessions without inputs and leaves an unset Anthropic model to the dreamer', () => {
    const req = parseOrThrow(
      createDreamSchema,
      { agent_id: 'agt_1', max_sessions: 1_000, model: { provider: 'anthropic' } },
      'dream request',
    );
    expect(toDreamSettings(req)).toMatchObject({
      input: { type: 'since_last_dream', limit: 1_000 },
      model: { provider: 'anthropic' },
    });
    expect(toDreamSettings(req).model).not.toHaveProperty('model');
  });

  it('accepts 1,000 session ids and refuses 1,001 or none', () => {
    const body = (n: number) => ({
      agent_id: 'agt_1',
      inputs: [{ type: 'sessions', session_ids: ids(n) }],
    });
    expect(createDreamSchema.safeParse(body(1_000)).success).toBe(true);
    expect(rejection(body(1_001)).paths).toEqual(['inputs[0].session_ids']);
    expect(rejection(body(0)).paths).toEqual(['inputs[0].session_ids']);
  });

  it.each([
    ['an unknown field', { agent_id: 'agt_1', memory_store_id: 'x' }, '(body)', /memory_store_id/],
    ['no agent', {}, 'agent_id', /agent_id/],
    ['a bad agent id', { agent_id: 'agt 1' }, 'agent_id', /may contain only/],
    [
      'both inputs and max_sessions',
      {
        agent_id: 'agt_1',
        inputs: [{ type: 'sessions', session_ids: ['ses_1'] }],
        max_sessions: 5,
      },
      'max_sessions',
      /max_sessions goes only without inputs/,
    ],
    ['max_sessions 0', { agent_id: 'agt_1', max_sessions: 0 }, 'max_sessions', /max_sessions/],
    ['max_sessions 1001', { agent_id: 'agt_1', max_sessions: 1_001 }, 'max_sessions', /./],
    ['max_sessions 2.5', { agent_id: 'agt_1', max_sessions: 2.5 }, 'max_sessions', /./],
    ['empty inputs', { agent_id: 'agt_1', inputs: [] }, 'inputs', /one input/],
    [
      'two inputs',
      {
        agent_id: 'agt_1',
        inputs: [
          { type: 'sessions', session_ids: ['ses_1'] },
          { type: 'sessions', session_ids: ['ses_2'] },
        ],
      },
      'inputs',
      /put every session id in its session_ids/,
    ],
    [
      'an unknown input type',
      { agent_id: 'agt_1', inputs: [{ type: 'memory_store', session_ids: ['ses_1'] }] },
      'inputs[0].type',
      /./,
    ],
    [
      'an unknown field in an input',
      { agent_id: 'agt_1', inputs: [{ type: 'sessions', session_ids: ['ses_1'], x: 1 }] },
      'inputs[0]',
      /x/,
    ],
    [
      'instructions over 4,096 characters',
      { agent_id: 'agt_1', instructions: 'x'.repeat(4_097) },
      'instructions',
      /./,
    ],
    [
      'an unknown provider',
      { agent_id: 'agt_1', model: { provider: 'openai' } },
      'model.provider',
      /provider must be "builtin" or "anthropic"/,
    ],
    [
      'a model for builtin',
      { agent_id: 'agt_1', model: { provider: 'builtin', model: 'x' } },
      'model',
      /model/,
    ],
    [
      'max_tokens 0',
      { agent_id: 'agt_1', model: { provider: 'anthropic', max_tokens: 0 } },
      'model.max_tokens',
      /./,
    ],
    [
      'camelCase maxTokens',
      { agent_id: 'agt_1', model: { provider: 'anthropic', maxTokens: 10 } },
      'model',
      /maxTokens/,
    ],
  ])('refuses %s with a 400 at its path', (_, body, path, message) => {
    const r = rejection(body);
    expect(r.status).toBe(400);
    expect(r.paths).toContain(path);
    expect(r.message).toMatch(/^invalid dream request: /);
    expect(r.message).toMatch(message);
  });
});

describe('listDreamsQuerySchema', () => {
  it('defaults to 20 unarchived dreams', () => {
    expect(listDreamsQuerySchema.parse({})).toEqual({ include_archived: false, limit: 20 });
  });

  it('parses query strings into filters', () => {
    expect(
      listDreamsQuerySchema.parse({
        agent_id: 'agt_1',
        status: 'canceled',
        created_after: '2026-01-01T00:00:00Z',
        created_before: '2026-02-01T00:00:00.000+01:00',
        include_archived: 'true',
        limit: '100',
        after_id: 'drm_1',
      }),
    ).toEqual({
      agent_id: 'agt_1',
      status: 'canceled',
      created_after: new Date('2026-01-01T00:00:00Z'),
      created_before: new Date('2026-01-31T23:00:00Z'),
      include_archived: true,
      limit: 100,
      after_id: 'drm_1',
    });
    expect(listDreamsQuerySchema.parse({ include_archived: 'false' }).include_archived).toBe(false);
  });

  it.each([
    [{ status: 'done' }, 'query.status', /must be one of pending, running, completed/],
    [{ limit: '0' }, 'query.limit', /./],
    [{ limit: '101' }, 'query.limit', /./],
    [{ include_archived: 'yes' }, 'query.include_archived', /must be true or false/],
    [{ created_after: 'yesterday' }, 'query.created_after', /ISO 8601/],
    [{ agentId: 'agt_1' }, 'query', /agentId/],
    [
      { created_after: '2026-01-01T00:00:00Z', created_before: '2025-01-01T00:00:00Z' },
      'query.created_before',
      /query\.created_before must be later than created_after/,
    ],
    [
      { created_after: '2026-01-01T00:00:00Z', created_before: '2026-01-01T00:00:00Z' },
      'query.created_before',
      /must be later than created_after/,
    ],
  ])('refuses %j', (query, path, message) => {
    const parsed = listDreamsQuerySchema.safeParse(query);
    expect(parsed.success).toBe(false);
    expect(() => parseOrThrow(listDreamsQuerySchema, query, 'query', 'query')).toThrow(message);
    const details = parsed.error ? fieldProblems(parsed.error, 'query') : [];
    expect(details.map((d) => d.path)).toContain(path);
  });
});

describe('dreamReportQuerySchema', () => {
  it('takes json or markdown, nothing else', () => {
    expect(dreamReportQuerySchema.parse({})).toEqual({});
    expect(dreamReportQuerySchema.parse({ format: 'markdown' })).toEqual({ format: 'markdown' });
    expect(dreamReportQuerySchema.safeParse({ format: 'pdf' }).success).toBe(false);
  });
});
