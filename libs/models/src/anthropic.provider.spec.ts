import {
  dropConnection,
  errorReply,
  MessagesServer,
  overloaded,
  rateLimited,
  textReply,
  toolUseReply,
} from '@reverie/testing/anthropic';
import { expectEventually } from '@reverie/testing';
import { AnthropicProvider, type AnthropicProviderOptions } from './anthropic.provider';
import { addUsage, type ModelRequest, type TokenUsage } from './model-provider';
import { ModelProviderError } from './model-provider.error';
import { runToolLoop } from './tool-loop';

describe('AnthropicProvider against a local Messages API server (the remote model is mocked)', () => {
  let server: MessagesServer;
  let sleeps: number[];
  let warnings: string[];

  beforeEach(async () => {
    server = await MessagesServer.start();
    sleeps = [];
    warnings = [];
  });
  afterEach(() => server.close());

  const provider = (overrides: Partial<AnthropicProviderOptions> = {}) =>
    new AnthropicProvider({
      baseURL: server.baseURL,
      apiKey: server.apiKey,
      model: 'claude-test',
      maxTokens: 256,
      // Retries wait through this: it records the delay and returns at once.
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      logger: { warn: (message) => warnings.push(message) },
      ...overrides,
    });

  const ask = (text: string): ModelRequest => ({ messages: [{ role: 'user', content: text }] });

  const readLogTool = {
    name: 'read_log',
    description: 'Returns lines `from` to `to` of the failed build log.',
    inputSchema: {
      type: 'object' as const,
      properties: { from: { type: 'integer' }, to: { type: 'integer' } },
      required: ['from', 'to'],
    },
  };

  it('returns a text reply with its usage, and sends the per-request model settings', async () => {
    server.enqueue(
      textReply('The build broke at line 42.', {
        usage: {
          input_tokens: 120,
          output_tokens: 9,
          cache_read_input_tokens: 800,
          cache_creation_input_tokens: 30,
        },
      }),
    );

    const response = await provider().complete({
      ...ask('Why did the build fail?'),
      model: 'claude-triage-role',
      maxTokens: 512,
    });

    expect(response).toMatchObject({
      text: 'The build broke at line 42.',
      toolCalls: [],
      stopReason: 'end_turn',
      model: 'claude-triage-role',
      usage: { inputTokens: 120, outputTokens: 9, cacheReadTokens: 800, cacheWriteTokens: 30 },
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body).toMatchObject({
      model: 'claude-triage-role',
      max_tokens: 512,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Why did the build fail?' }] }],
    });
  });

  it('runs a two-turn tool loop: tool_use, the handler, then the tool_result sent back', async () => {
    server.enqueue(
      toolUseReply([{ id: 'toolu_1', name: 'read_log', input: { from: 40, to: 42 } }], {
        text: 'Let me read the end of the log.',
      }),
      textReply('Lines 41-42 explain the failure.'),
    );
    const inputs: unknown[] = [];
    const calls: { turn: number; usage: TokenUsage }[] = [];

    const result = await runToolLoop(
      provider(),
      { ...ask('Find the failing lines.'), tools: [readLogTool] },
      {
        read_log: async (input) => {
          inputs.push(input);
          return { lines: ['41: npm ERR! missing script', '42: exit 1'] };
        },
      },
      { maxTurns: 5, onCall: (usage, turn) => void calls.push({ turn, usage }) },
    );

    expect(result).toMatchObject({ turns: 2, stoppedBy: 'end_turn' });
    expect(result.response.text).toBe('Lines 41-42 explain the failure.');
    expect(inputs).toEqual([{ from: 40, to: 42 }]);
    expect(calls.map((call) => call.turn)).toEqual([1, 2]);
    expect(server.requests[0].body.tools).toEqual([
      {
        name: 'read_log',
        description: readLogTool.description,
        input_schema: readLogTool.inputSchema,
      },
    ]);
    expect(server.requests[1].body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Find the failing lines.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me read the end of the log.' },
          { type: 'tool_use', id: 'toolu_1', name: 'read_log', input: { from: 40, to: 42 } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: JSON.stringify({ lines: ['41: npm ERR! missing script', '42: exit 1'] }),
          },
        ],
      },
    ]);
    expect(result.messages).toHaveLength(4);
    expect(result.usage).toEqual(addUsage(calls[0].usage, calls[1].usage));
    expect(result.usage.inputTokens).toBeGreaterThan(calls[0].usage.inputTokens);
  });

  it('sends a throwing tool handler back as an is_error tool_result', async () => {
    server.enqueue(
      toolUseReply([{ id: 'toolu_9', name: 'read_log', input: { from: 9000, to: 9001 } }]),
      textReply('That range does not exist; the log is shorter.'),
    );

    const result = await runToolLoop(
      provider(),
      { ...ask('Find the failing lines.'), tools: [readLogTool] },
      {
        read_log: async () => {
          throw new Error('line 9000 is past the end of the log (120 lines)');
        },
      },
      { maxTurns: 3 },
    );

    expect(result.stoppedBy).toBe('end_turn');
    expect(server.requests[1].body.messages[2]).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_9',
          is_error: true,
          content: 'tool "read_log" failed: line 9000 is past the end of the log (120 lines)',
        },
      ],
    });
  });

  it('marks the playbook system block for caching and reports cache writes, then reads', async () => {
    server.respondWith(() => textReply('ok'));
    const request: ModelRequest = {
      system: [
        { text: 'You triage failed CI builds.' },
        {
          text: '# Playbook\n- Look for the first "error" after the last passing step.\n'.repeat(
            20,
          ),
          cache: true,
        },
      ],
      ...ask('Triage build 17.'),
    };
    const models = provider();

    const first = await models.complete(request);
    const second = await models.complete({
      ...request,
      messages: [{ role: 'user', content: 'Triage build 18.' }],
    });

    const system = server.requests[0].body.system;
    expect(Array.isArray(system) && system.map((block) => block.cache_control)).toEqual([
      undefined,
      { type: 'ephemeral' },
    ]);
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(0);
    expect(first.usage.cacheReadTokens).toBe(0);
    expect(second.usage.cacheReadTokens).toBe(first.usage.cacheWriteTokens);
    expect(second.usage.cacheWriteTokens).toBe(0);
  });

  it('waits as long as a 429 retry-after says, then succeeds', async () => {
    server.enqueue(rateLimited(2), textReply('ok after waiting'));

    const response = await provider().complete(ask('hello'));

    expect(response.text).toBe('ok after waiting');
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect(warnings).toEqual([
      'anthropic: 429 rate_limit_error: Number of request tokens has exceeded your rate limit. (attempt 1 of 5); retrying in 2000 ms',
    ]);
  });

  it('retries 529 overloaded with exponential backoff and jitter', async () => {
    server.enqueue(overloaded(), overloaded(), textReply('ok'));

    const response = await provider({ retry: { initialDelayMs: 1000 } }).complete(ask('hello'));

    expect(response.text).toBe('ok');
    expect(server.requests).toHaveLength(3);
    // Half fixed, half jitter (random() is 0.5 here): 500 + 250, then 1000 + 500.
    expect(sleeps).toEqual([750, 1500]);
  });

  it('retries 500 up to the bound, then fails with a clear error', async () => {
    server.respondWith(() => errorReply(500, 'api_error', 'Internal server error'));

    const error = await provider({ retry: { maxRetries: 2 } })
      .complete(ask('hello'))
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({
      kind: 'unavailable',
      status: 500,
      type: 'api_error',
      attempts: 3,
    });
    expect((error as Error).message).toBe(
      `the Anthropic Messages API at ${server.baseURL} answered 500 api_error: Internal server error; gave up after 3 attempts: try again later or raise retry.maxRetries`,
    );
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    server.enqueue(
      errorReply(
        400,
        'invalid_request_error',
        'max_tokens: 999999 > 64000, the maximum for this model',
      ),
    );

    const error = await provider()
      .complete(ask('hello'))
      .catch((err: unknown) => err);

    expect(error).toMatchObject({
      kind: 'rejected',
      status: 400,
      type: 'invalid_request_error',
      attempts: 1,
    });
    expect((error as Error).message).toContain(
      '400 invalid_request_error: max_tokens: 999999 > 64000, the maximum for this model; not retried',
    );
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('rejects a request the API would refuse (a tool name with a space) without retrying', async () => {
    const error = await provider()
      .complete({ ...ask('hello'), tools: [{ ...readLogTool, name: 'read log' }] })
      .catch((err: unknown) => err);

    expect(error).toMatchObject({ kind: 'rejected', status: 400 });
    expect((error as Error).message).toContain('tools.0.name');
    expect(sleeps).toEqual([]);
  });

  it('says to check the API key on a 401', async () => {
    const error = await provider({ apiKey: 'wrong-key' })
      .complete(ask('hello'))
      .catch((err: unknown) => err);

    expect(error).toMatchObject({ kind: 'rejected', status: 401, type: 'authentication_error' });
    expect((error as Error).message).toContain('check the API key');
  });

  it('fails with a clear error when the server answers after the timeout', async () => {
    server.enqueue(textReply('too late', { delayMs: 10_000 }));

    const error = await provider({ timeoutMs: 50 })
      .complete(ask('hello'))
      .catch((err: unknown) => err);

    expect(error).toMatchObject({ kind: 'timeout', attempts: 1 });
    expect((error as Error).message).toBe(
      `the Anthropic Messages API at ${server.baseURL} did not answer within 50 ms; raise the provider's timeoutMs or lower maxTokens`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it("stops a call its caller aborts while the server is still answering, and doesn't retry it", async () => {
    server.enqueue(textReply('too late', { delayMs: 10_000 }), textReply('not asked'));
    const abort = new AbortController();
    const call = provider()
      .complete({ ...ask('hello'), signal: abort.signal })
      .catch((err: unknown) => err);
    await expectEventually(() => expect(server.requests).toHaveLength(1));

    abort.abort();
    const error = await call;

    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect((error as Error).message).toBe(
      `the call to the Anthropic Messages API at ${server.baseURL} was aborted by its caller after 1 attempt(s)`,
    );
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('ends the wait between retries when the signal fires, and makes no further attempt', async () => {
    // A 429 asking for a 20 s wait (the policy's longest), waited for by the real timer.
    server.enqueue(rateLimited(20), textReply('not asked'));
    const abort = new AbortController();
    const pending = provider({ sleep: undefined })
      .complete({ ...ask('hello'), signal: abort.signal })
      .catch((err: unknown) => err);
    await expectEventually(() => expect(warnings).toHaveLength(1));
    expect(warnings[0]).toMatch(/retrying in 20000 ms$/);

    abort.abort();

    expect(await pending).toMatchObject({ kind: 'aborted', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing when the signal has already fired', async () => {
    const abort = new AbortController();
    abort.abort();

    const error = await provider()
      .complete({ ...ask('hello'), signal: abort.signal })
      .catch((err: unknown) => err);

    expect(error).toMatchObject({ kind: 'aborted', attempts: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it('retries a dropped connection', async () => {
    server.enqueue(dropConnection(), textReply('ok'));

    const response = await provider().complete(ask('hello'));

    expect(response.text).toBe('ok');
    expect(sleeps).toHaveLength(1);
    expect(warnings[0]).toMatch(/^anthropic: Connection error\. \(attempt 1 of 5\)/);
  });

  it('refuses a temperature, which the API version the SDK speaks no longer accepts', async () => {
    const message = /temperature is not accepted by the Anthropic Messages API version 2026-10-21/;
    expect(() => provider({ temperature: 0.2 })).toThrow(message);
    await expect(provider().complete({ ...ask('hello'), temperature: 0 })).rejects.toThrow(message);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses to start without an API key or to call without a model', async () => {
    expect(() => provider({ apiKey: '' })).toThrow(/needs an apiKey/);
    await expect(provider({ model: undefined }).complete(ask('hello'))).rejects.toThrow(
      /no model to call: set `model` in the agent or role model settings/,
    );
  });
});
