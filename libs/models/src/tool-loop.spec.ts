import { BuiltinPolicies, BuiltinProvider } from './builtin.provider';
import type { ModelRequest, ToolResultBlock } from './model-provider';
import { runToolLoop } from './tool-loop';

describe('runToolLoop', () => {
  // A policy that keeps asking for the same tool, so the bound is what ends the loop.
  const provider = new BuiltinProvider({
    policies: new BuiltinPolicies().register('insistent', {
      decide: (request) => ({
        toolCalls: [
          { id: `call-${request.messages.length}`, name: 'search', input: { q: 'error' } },
        ],
      }),
    }),
    policy: 'insistent',
  });
  const request: ModelRequest = { messages: [{ role: 'user', content: 'find it' }] };

  it('stops at maxTurns without running the last turn’s tool calls', async () => {
    let runs = 0;
    const result = await runToolLoop(
      provider,
      request,
      { search: async () => ++runs },
      { maxTurns: 3 },
    );

    expect(result).toMatchObject({ turns: 3, stoppedBy: 'max_turns' });
    expect(runs).toBe(2);
    expect(result.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(result.response.toolCalls).toHaveLength(1);
  });

  it('answers an unknown tool with an is_error result naming the known tools', async () => {
    const results: ToolResultBlock[] = [];
    await runToolLoop(
      provider,
      request,
      { read_log: async () => 'x' },
      { maxTurns: 2, onToolResult: (_call, result) => void results.push(result) },
    );

    expect(results).toEqual([
      {
        type: 'tool_result',
        toolUseId: 'call-1',
        isError: true,
        content: 'unknown tool "search"; the tools are: read_log',
      },
    ]);
  });

  it('calls onCall once per model call and sums usage', async () => {
    const calls: number[] = [];
    const result = await runToolLoop(
      provider,
      request,
      { search: async () => 'hit' },
      {
        maxTurns: 2,
        onCall: (_usage, turn) => void calls.push(turn),
      },
    );

    expect(calls).toEqual([1, 2]);
    expect(result.usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it('rejects a maxTurns below one', async () => {
    await expect(runToolLoop(provider, request, {}, { maxTurns: 0 })).rejects.toThrow(
      'maxTurns must be a positive integer, got 0',
    );
  });
});
