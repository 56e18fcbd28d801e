import { AnthropicProvider, type AnthropicProviderOptions } from './anthropic.provider';
import { BuiltinPolicies, BuiltinProvider } from './builtin.provider';
import type { ModelProvider } from './model-provider';
import { ModelProviderError } from './model-provider.error';

/** Model settings as an agent, a role or a run block states them. */
export interface ModelSettings {
  provider: 'builtin' | 'anthropic';
  /** The model, or for `builtin` the policy name. */
  model?: string;
  maxTokens?: number;
  temperature?: number;
}

export interface ProviderOptions {
  /** Connection settings for `anthropic`, from the caller's config; required for it. */
  anthropic?: Omit<AnthropicProviderOptions, 'model' | 'maxTokens' | 'temperature'>;
  /** Policies for `builtin`. */
  policies?: BuiltinPolicies;
}

/** A provider for `settings`; the settings become its defaults for every request. */
export function createProvider(
  settings: ModelSettings,
  options: ProviderOptions = {},
): ModelProvider {
  switch (settings.provider) {
    case 'builtin':
      return new BuiltinProvider({
        policies: options.policies ?? new BuiltinPolicies(),
        policy: settings.model,
      });
    case 'anthropic':
      if (!options.anthropic) {
        throw new ModelProviderError(
          'model provider "anthropic" needs connection options (apiKey, baseURL); pass them from the service config',
          { provider: 'anthropic', kind: 'configuration' },
        );
      }
      return new AnthropicProvider({
        ...options.anthropic,
        model: settings.model,
        maxTokens: settings.maxTokens,
        temperature: settings.temperature,
      });
    default:
      throw new ModelProviderError(
        `unknown model provider "${String((settings as { provider: unknown }).provider)}"; use "builtin" or "anthropic"`,
        { provider: String((settings as { provider: unknown }).provider), kind: 'configuration' },
      );
  }
}
