import { MessagesServer, textReply } from '@reverie/testing/anthropic';
import { AnthropicProvider } from './anthropic.provider';
import { BuiltinPolicies, BuiltinProvider } from './builtin.provider';
import { createProvider } from './create-provider';

describe('createProvider', () => {
  it('makes a builtin provider whose model names the policy', async () => {
    const policies = new BuiltinPolicies().register('ci-log-triage', {
      decide: () => ({ text: 'lines 1-2' }),
    });

    const provider = createProvider({ provider: 'builtin', model: 'ci-log-triage' }, { policies });

    expect(provider).toBeInstanceOf(BuiltinProvider);
    await expect(
      provider.complete({ messages: [{ role: 'user', content: 'go' }] }),
    ).resolves.toMatchObject({
      text: 'lines 1-2',
    });
  });

  it('makes an anthropic provider with the settings as defaults', async () => {
    const server = await MessagesServer.start({ replies: [textReply('hi')] });
    try {
      const provider = createProvider(
        { provider: 'anthropic', model: 'claude-test', maxTokens: 300 },
        { anthropic: { baseURL: server.baseURL, apiKey: server.apiKey } },
      );

      expect(provider).toBeInstanceOf(AnthropicProvider);
      await provider.complete({ messages: [{ role: 'user', content: 'go' }] });
      expect(server.requests[0].body).toMatchObject({
        model: 'claude-test',
        max_tokens: 300,
      });
    } finally {
      await server.close();
    }
  });

  it('asks for connection options for anthropic, and names the known providers', () => {
    expect(() => createProvider({ provider: 'anthropic' })).toThrow(
      'model provider "anthropic" needs connection options (apiKey, baseURL); pass them from the service config',
    );
    expect(() => createProvider({ provider: 'openai' } as never)).toThrow(
      'unknown model provider "openai"; use "builtin" or "anthropic"',
    );
  });
});
