import { MessagesServer } from './messages-server';
import { textReply } from './scripted-replies';

/** What the tests read from an answer: a message's usage, or an error's message. */
interface ApiAnswer {
  usage: Record<string, number>;
  error: { type: string; message: string };
  [field: string]: unknown;
}

describe('MessagesServer', () => {
  let server: MessagesServer;
  beforeEach(async () => {
    server = await MessagesServer.start({ respond: () => textReply('ok') });
  });
  afterEach(() => server.close());

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.baseURL}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': server.apiKey,
        'anthropic-version': '2023-06-01',
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as ApiAnswer };
  };
  const valid = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  it('answers a valid request with a message and counted usage', async () => {
    const { status, body } = await post(valid);

    expect(status).toBe(200);
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      usage: { cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
    expect(body.usage.input_tokens).toBeGreaterThan(0);
  });

  it('rejects a wrong key and a missing anthropic-version', async () => {
    expect(await post(valid, { 'x-api-key': 'nope' })).toMatchObject({
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error' } },
    });
    const noVersion = await fetch(`${server.baseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': server.apiKey },
      body: JSON.stringify(valid),
    });
    expect(noVersion.status).toBe(400);
  });

  it('rejects a tool_use left without its tool_result, as the API does', async () => {
    const { status, body } = await post({
      ...valid,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'x', input: {} }] },
        { role: 'user', content: 'no result' },
      ],
    });

    expect(status).toBe(400);
    expect(body.error.message).toContain('`tool_use` ids were found without `tool_result` blocks');
  });

  it('caches up to a cache_control breakpoint, but not below the minimum size', async () => {
    const system = [{ type: 'text', text: 'x'.repeat(400), cache_control: { type: 'ephemeral' } }];
    const first = await post({ ...valid, system });
    const second = await post({ ...valid, system });

    expect(first.body.usage).toMatchObject({
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 0,
    });
    expect(second.body.usage).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 100,
    });

    const strict = await MessagesServer.start({
      respond: () => textReply('ok'),
      minCacheableTokens: 1024,
    });
    try {
      const res = await fetch(`${strict.baseURL}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': strict.apiKey, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ ...valid, system }),
      });
      const { usage } = (await res.json()) as { usage: Record<string, number> };
      expect(usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    } finally {
      await strict.close();
    }
  });

  it('refuses sampling parameters on API version 2026-10-21, as the API does, not on 2023-06-01', async () => {
    expect(
      await post({ ...valid, temperature: 1 }, { 'anthropic-version': '2026-10-21' }),
    ).toMatchObject({
      status: 400,
      body: { error: { message: 'temperature: Extra inputs are not permitted' } },
    });
    expect((await post({ ...valid, temperature: 1 })).status).toBe(200);
  });

  it('records every request, the rejected ones too', async () => {
    await post(valid);
    await post({ ...valid, max_tokens: 0 });

    expect(server.requests.map((r) => r.body.max_tokens)).toEqual([10, 0]);
  });
});
