import type { ModelProvider, ModelRequest } from './model-provider';
import { ModelProviderError } from './model-provider.error';

/** Characters a token, at the low end for English, JSON and logs: estimates err high. */
export const CHARS_PER_TOKEN = 3;

/**
 * What a request may cost before it is sent: its prompt (system, messages, tools) at three
 * characters a token, and its output cap. Meant to err high: a budget check that lets a call
 * through should not find it cost more.
 */
export function requestTokenEstimate(
  request: ModelRequest,
  defaultMaxTokens: number,
): { prompt: number; output: number } {
  const chars =
    (request.system ?? []).reduce((n, block) => n + block.text.length, 0) +
    JSON.stringify(request.messages).length +
    (request.tools ? JSON.stringify(request.tools).length : 0);
  return {
    prompt: Math.ceil(chars / CHARS_PER_TOKEN),
    output: request.maxTokens ?? defaultMaxTokens,
  };
}

/**
 * The provider within a token budget: a request whose estimate (`requestTokenEstimate`) is more
 * than what is left is not sent (a ModelProviderError of kind `over_budget`); each answer's usage
 * is taken from what is left. `tokensLeft` null: no budget, every request goes.
 */
export function withTokenBudget(
  provider: ModelProvider,
  tokensLeft: number | null,
  defaultMaxTokens: number,
): ModelProvider {
  if (tokensLeft === null) return provider;
  let left = tokensLeft;
  return {
    name: provider.name,
    complete: async (request) => {
      const { prompt, output } = requestTokenEstimate(request, defaultMaxTokens);
      if (prompt + output > left)
        throw new ModelProviderError(
          `not sent: the request may take up to ~${prompt + output} tokens (a prompt of ~${prompt}, up to ${output} out) and ${Math.max(0, left)} are left of the token budget`,
          { provider: provider.name, kind: 'over_budget' },
        );
      const response = await provider.complete(request);
      const u = response.usage;
      left -= u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
      return response;
    },
  };
}
