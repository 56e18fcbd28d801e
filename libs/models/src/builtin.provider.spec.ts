import { BuiltinPolicies, BuiltinProvider, type BuiltinPolicy } from './builtin.provider';
import type { ModelRequest } from './model-provider';
import { ModelProviderError } from './model-provider.error';

describe('BuiltinProvider', () => {
  // Answers with the line numbers the user message mentions; asks for the log first.
  const echoLines: BuiltinPolicy = {
    decide: (request) => {
      const last = request.messages[request.messages.length - 1];
      if (typeof last.content === 'string') {
        return { toolCalls: [{ id: 'call-1', name: 'read_log', input: { from: 1, to: 10 } }] };
      }
      return { text: 'lines 3-4' };
    },
  };
  const policies = new BuiltinPolicies().register('ci-log-triage', echoLines);
  const request: ModelRequest = { messages: [{ role: 'user', content: 'triage build 7' }] };

  it('delegates to the registered policy, with zero usage', async () => {
    const response = await new BuiltinProvider({ policies, policy: 'ci-log-triage' }).complete(
      request,
    );

    expect(response).toEqual({
      text: '',
      toolCalls: [{ id: 'call-1', name: 'read_log', input: { from: 1, to: 10 } }],
      stopReason: 'tool_use',
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      content: [{ type: 'tool_use', id: 'call-1', name: 'read_log', input: { from: 1, to: 10 } }],
      model: 'ci-log-triage',
    });
  });

  it('does not ask the policy when the signal has already fired', async () => {
    const asked: ModelRequest[] = [];
    const counting = new BuiltinPolicies().register('count', {
      decide: (r) => {
        asked.push(r);
        return { text: 'ok' };
      },
    });
    const abort = new AbortController();
    abort.abort();

    const error = await new BuiltinProvider({ policies: counting, policy: 'count' })
      .complete({ ...request, signal: abort.signal })
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ kind: 'aborted', provider: 'builtin' });
    expect(asked).toHaveLength(0);
  });

  it("takes the policy from the request's model when it names one", async () => {
    const response = await new BuiltinProvider({ policies }).complete({
      model: 'ci-log-triage',
      messages: [
        ...request.messages,
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'call-1', name: 'read_log', input: {} }],
        },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call-1', content: '...' }] },
      ],
    });

    expect(response).toMatchObject({ text: 'lines 3-4', toolCalls: [], stopReason: 'end_turn' });
  });

  it('fails clearly on an unknown policy, naming the known ones', async () => {
    const error = await new BuiltinProvider({ policies, policy: 'lunar-lander' })
      .complete(request)
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ kind: 'configuration', provider: 'builtin' });
    expect((error as Error).message).toBe(
      'no builtin policy named "lunar-lander"; set the model to one of: ci-log-triage',
    );
  });

  it('refuses to register two policies under one name', () => {
    expect(() => new BuiltinPolicies().register('a', echoLines).register('a', echoLines)).toThrow(
      'builtin policy "a" is already registered',
    );
  });
});
