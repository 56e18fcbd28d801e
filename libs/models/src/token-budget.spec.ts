import type { ModelProvider, ModelRequest, ModelResponse } from './model-provider';
import { ModelProviderError } from './model-provider.error';
import { requestTokenEstimate, withTokenBudget } from './token-budget';

describe('withTokenBudget', () => {
  // 300 characters of prompt: ~100 tokens at three characters a token, with its JSON overhead.
  const request: ModelRequest = {
    system: [{ text: 'x'.repeat(150) }],
    messages: [{ role: 'user', content: 'y'.repeat(150) }],
    maxTokens: 200,
  };
  const answering = (tokens: number) => {
    const sent: ModelRequest[] = [];
    const provider: ModelProvider = {
      name: 'test',
      complete: async (r): Promise<ModelResponse> => {
        sent.push(r);
        return {
          text: 'ok',
          toolCalls: [],
          stopReason: 'end_turn',
          content: [],
          model: 'test',
          usage: { inputTokens: tokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
        };
      },
    };
    return { provider, sent };
  };

  it('estimates the prompt at three characters a token, plus the output cap', () => {
    const { prompt, output } = requestTokenEstimate(request, 4096);
    const messageChars = JSON.stringify(request.messages).length;
    expect(prompt).toBe(Math.ceil((150 + messageChars) / 3));
    expect(output).toBe(200);
    expect(requestTokenEstimate({ ...request, maxTokens: undefined }, 4096).output).toBe(4096);
  });

  it('sends what fits, takes each answer from what is left, and refuses what no longer fits', async () => {
    const { provider, sent } = answering(150);
    const { prompt, output } = requestTokenEstimate(request, 4096);
    const budgeted = withTokenBudget(provider, prompt + output + 100, 4096);

    await budgeted.complete(request);
    // 150 spent: what is left no longer covers the estimate.
    const error = await budgeted.complete(request).catch((err: unknown) => err);

    expect(sent).toHaveLength(1);
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ kind: 'over_budget', provider: 'test' });
    expect((error as Error).message).toBe(
      `not sent: the request may take up to ~${prompt + output} tokens (a prompt of ~${prompt}, up to 200 out) and ${prompt + output - 50} are left of the token budget`,
    );
  });

  it('leaves a provider without a budget as it is', () => {
    const { provider } = answering(10_000);
    expect(withTokenBudget(provider, null, 4096)).toBe(provider);
  });
});
