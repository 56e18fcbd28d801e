import { anAgent, type ApiClient } from '@reverie/testing';
import {
  anAgentWithSession,
  expectApiError,
  startGateway,
  type RunningGateway,
} from './gateway.harness';

const message = (id: string) => ({
  clientEventId: id,
  type: 'message',
  role: 'user',
  content: 'hi',
});

describe('bad input gets a clear 4xx', () => {
  let gateway: RunningGateway;
  let api: ApiClient;
  let sessionId: string;
  let agentId: string;

  beforeAll(async () => {
    gateway = await startGateway({ MAX_EVENTS_PER_REQUEST: '50', HTTP_BODY_LIMIT: '64kb' });
    api = await gateway.tenant();
    ({ agentId, sessionId } = await anAgentWithSession(api));
  });
  afterAll(() => gateway.close());

  it('rejects requests without a valid API key', async () => {
    expectApiError(
      await gateway.anonymous.get('/v1/agents/x'),
      401,
      'authentication_error',
      /missing API key/,
    );
    expectApiError(
      await gateway.anonymous.withKey('nope').get('/v1/agents/x'),
      401,
      'authentication_error',
      /malformed/,
    );
    const forged = `rvk_0123456789abcdef_${'a'.repeat(43)}`;
    expectApiError(
      await gateway.anonymous.withKey(forged).get('/v1/agents/x'),
      401,
      'authentication_error',
      /invalid or revoked/,
    );
  });

  it('names the wrong field of an agent and why', async () => {
    const response = await api.post(
      '/v1/agents',
      anAgent({ roles: [{ name: 'Bad Role' }], dreaming: { frequency: 'cron' } }),
    );
    expectApiError(response, 400, 'invalid_request_error', /invalid agent/);
    const paths = response.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['roles[0].name', 'dreaming.cron']));
    expectApiError(
      await api.post('/v1/agents', { ...anAgent(), colour: 'red' }),
      400,
      'invalid_request_error',
      /colour/,
    );
    expectApiError(
      await api.patch(`/v1/agents/${agentId}`, {
        dreaming: { window: { start: '25:00', end: '05:00' } },
      }),
      400,
      'invalid_request_error',
      /dreaming\.window\.start must be a 24-hour time/,
    );
    // A misspelt key is refused by name, not dropped; a name may not end in a space.
    expectApiError(
      await api.post('/v1/agents', anAgent({ model: { provider: 'anthropic', modle: 'x' } })),
      400,
      'invalid_request_error',
      /^invalid agent: model Unrecognized key: "modle"$/,
    );
    expectApiError(
      await api.patch(`/v1/agents/${agentId}`, { model: { modle: 'x' } }),
      400,
      'invalid_request_error',
      /^invalid agent update: model Unrecognized key: "modle"$/,
    );
    expectApiError(
      await api.post('/v1/agents', anAgent({ name: 'alpha ' })),
      400,
      'invalid_request_error',
      /^invalid agent: name must not start or end with whitespace$/,
    );
    expectApiError(
      await api.patch(`/v1/agents/${agentId}`, {}),
      400,
      'invalid_request_error',
      /at least one field/,
    );
  });

  it('rejects a body that is not JSON', async () => {
    const response = await api.request('POST', `/v1/sessions/${sessionId}/events`, undefined, {
      rawBody: '{"events": [',
    });
    expectApiError(response, 400, 'invalid_request_error', /^request body is not valid JSON/);
  });

  it('tells an unknown session and an unknown agent apart', async () => {
    expectApiError(
      await api.post('/v1/sessions/ses_missing/events', { events: [message('a')] }),
      404,
      'not_found_error',
      /session "ses_missing" not found/,
    );
    expectApiError(
      await api.get('/v1/sessions/ses_missing'),
      404,
      'not_found_error',
      /session "ses_missing" not found/,
    );
    expectApiError(
      await api.post('/v1/sessions', { agentId: 'agt_missing' }),
      404,
      'not_found_error',
      /agent "agt_missing" not found; create one with POST \/v1\/agents/,
    );
  });

  it('refuses events for a closed session, and a second end', async () => {
    const closed = await anAgentWithSession(api);
    expect(
      (await api.post(`/v1/sessions/${closed.sessionId}/end`, { status: 'completed' })).status,
    ).toBe(200);
    expectApiError(
      await api.post(`/v1/sessions/${closed.sessionId}/events`, { events: [message('late')] }),
      409,
      'conflict_error',
      /has ended \(completed\)/,
    );
    expectApiError(
      await api.post(`/v1/sessions/${closed.sessionId}/end`, { status: 'failed' }),
      409,
      'conflict_error',
      /already ended/,
    );
    expectApiError(
      await api.post(`/v1/sessions/${sessionId}/end`, { status: 'finished' }),
      400,
      'invalid_request_error',
      /status/,
    );
  });

  it('refuses an oversize batch and an empty one', async () => {
    const events = Array.from({ length: 51 }, (_, i) => message(`m${i}`));
    expectApiError(
      await api.post(`/v1/sessions/${sessionId}/events`, { events }),
      413,
      'request_too_large',
      /51 events; send at most 50/,
    );
    expectApiError(
      await api.post(`/v1/sessions/${sessionId}/events`, { events: [] }),
      400,
      'invalid_request_error',
      /at least one event/,
    );
  });

  it('refuses a body larger than the server accepts', async () => {
    const huge = {
      clientEventId: 'big',
      type: 'message',
      role: 'user',
      content: 'x'.repeat(70_000),
    };
    expectApiError(
      await api.post(`/v1/sessions/${sessionId}/events`, { events: [huge] }),
      413,
      'request_too_large',
      /request body is larger than the server accepts/,
    );
  });

  it('points at the malformed event in a batch and accepts none of it', async () => {
    const response = await api.post(`/v1/sessions/${sessionId}/events`, {
      events: [
        message('ok-1'),
        { clientEventId: 'bad', type: 'tool_call', name: 'grep' },
        { type: 'message', role: 'user', content: 'x' },
      ],
    });
    expectApiError(response, 400, 'invalid_request_error', /events\[1\]/);
    const paths = response.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'events[1].toolCallId',
        'events[1].input',
        'events[2].clientEventId',
      ]),
    );
    expect((await api.get(`/v1/sessions/${sessionId}/events`)).body.data).toEqual([]);
  });

  it('validates query parameters', async () => {
    expectApiError(
      await api.get('/v1/sessions?limit=0'),
      400,
      'invalid_request_error',
      /query\.limit/,
    );
    expectApiError(
      await api.get('/v1/sessions?status=sleeping'),
      400,
      'invalid_request_error',
      /query\.status/,
    );
    expectApiError(
      await api.get(`/v1/sessions/${sessionId}/events?after_seq=-1`),
      400,
      'invalid_request_error',
      /query\.after_seq/,
    );
  });

  it('answers what the body parser cannot read with a typed 4xx, never a 500', async () => {
    const events = `/v1/sessions/${sessionId}/events`;
    const body = JSON.stringify({ events: [message('enc')] });
    expectApiError(
      await api.request('POST', events, undefined, {
        rawBody: body,
        headers: { 'content-encoding': 'br2' },
      }),
      415,
      'invalid_request_error',
      /^content-encoding "br2" is not supported/,
    );
    expectApiError(
      await api.request('POST', events, undefined, {
        rawBody: 'not gzip at all',
        headers: { 'content-encoding': 'gzip' },
      }),
      400,
      'invalid_request_error',
      /^request body could not be decoded as its content-encoding says/,
    );
    expectApiError(
      await api.request('POST', events, undefined, { rawBody: 'null' }),
      400,
      'invalid_request_error',
      /^request body must be a JSON object$/,
    );
  });

  it('takes JSON bodies only: a form, text or a charset other than utf-8 get a 415', async () => {
    const as = (contentType: string, rawBody: string) =>
      api.request('POST', '/v1/agents', undefined, {
        rawBody,
        headers: { 'content-type': contentType },
      });
    expectApiError(
      await as('application/x-www-form-urlencoded', 'name=formed'),
      415,
      'invalid_request_error',
      /^content-type "application\/x-www-form-urlencoded" is not supported; send JSON as utf-8/,
    );
    expectApiError(
      await as('text/plain', JSON.stringify(anAgent({ name: 'texted' }))),
      415,
      'invalid_request_error',
      /^content-type "text\/plain" is not supported/,
    );
    // body-parser refuses koi8-r itself, but decodes any utf-* it knows (utf-7 included).
    for (const [charset, name] of [
      ['koi8-r', 'koi'],
      ['utf-7', 'seven'],
    ]) {
      expectApiError(
        await as(`application/json; charset=${charset}`, JSON.stringify(anAgent({ name }))),
        415,
        'invalid_request_error',
        new RegExp(`^charset "${charset}" is not supported; send JSON as utf-8$`),
      );
    }
    const names = (await api.get('/v1/agents?limit=500')).body.data.map(
      (a: { name: string }) => a.name,
    );
    for (const refused of ['formed', 'texted', 'koi', 'seven'])
      expect(names).not.toContain(refused);
    // JSON as utf-8, in any spelling, and the +json types are read; a POST without a body needs none.
    const created = await as(
      'Application/JSON; charset="UTF-8"',
      JSON.stringify(anAgent({ name: 'json utf8' })),
    );
    expect(created.status).toBe(201);
    const patched = await api.request('PATCH', `/v1/agents/${created.body.id}`, undefined, {
      rawBody: JSON.stringify({ description: 'merged' }),
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.body).toMatchObject({ description: 'merged' });
    expectApiError(
      await api.request('POST', '/v1/dreams/drm_missing/cancel'),
      404,
      'not_found_error',
      /drm_missing/,
    );
  });

  it('refuses a number JSON cannot carry (1e400) by its path instead of storing null', async () => {
    const response = await api.request('POST', `/v1/sessions/${sessionId}/events`, undefined, {
      rawBody: '{"events":[{"clientEventId":"inf","type":"observation","data":{"v":1e400}}]}',
    });
    expectApiError(response, 400, 'invalid_request_error', /events\[0\]\.data\.v is a number/);
    expect(response.body.error.details).toEqual([
      { path: 'events[0].data.v', message: expect.stringMatching(/too large for JSON/) },
    ]);
  });

  it('refuses unknown event keys instead of dropping them', async () => {
    const unknown = await api.post(`/v1/sessions/${sessionId}/events`, {
      events: [message('fine'), { ...message('extra'), colour: 'red' }],
    });
    expectApiError(unknown, 400, 'invalid_request_error', /events\[1\].*colour/);
    expect((await api.get(`/v1/sessions/${sessionId}/events`)).body.data).toEqual([]);
  });

  it('refuses unknown query parameters on agents and webhooks, a long after_name, an inverted dream range', async () => {
    for (const path of [
      '/v1/agents?after_name[$gt]=',
      '/v1/webhooks?x[$ne]=1',
      `/v1/agents?after_name=${'a'.repeat(101)}`,
      '/v1/dreams?created_after=2026-01-01T00:00:00Z&created_before=2025-01-01T00:00:00Z',
      `/v1/sessions/${sessionId}/feedback?colour=red`,
    ]) {
      const response = await api.get(path);
      expectApiError(response, 400, 'invalid_request_error', /^invalid query: query/);
    }
    expectApiError(
      await api.get(
        '/v1/dreams?created_after=2026-01-01T00:00:00Z&created_before=2025-01-01T00:00:00Z',
      ),
      400,
      'invalid_request_error',
      /query\.created_before must be later than created_after/,
    );
    expect((await api.get('/v1/agents?limit=1')).status).toBe(200);
    expect((await api.get('/v1/webhooks')).status).toBe(200);
  });
});
