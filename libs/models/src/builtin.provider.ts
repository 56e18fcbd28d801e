import type {
  ModelProvider,
  ModelRequest,
  ModelResponse,
  StopReason,
  ToolCall,
} from './model-provider';
import { zeroUsage } from './model-provider';
import { ModelProviderError } from './model-provider.error';

/** What a policy decides on one call: some text, and/or tool calls to make. */
export interface BuiltinDecision {
  text?: string;
  toolCalls?: ToolCall[];
  /** Defaults to `tool_use` when there are tool calls, else `end_turn`. */
  stopReason?: StopReason;
}

/**
 * A deterministic stand-in for a model, one per environment: it reads the request (system blocks
 * with the playbook, the transcript so far) and decides, with no network and no randomness.
 */
export interface BuiltinPolicy {
  decide(request: ModelRequest): BuiltinDecision | Promise<BuiltinDecision>;
}

/** Policies by name; each environment registers its own (e.g. `ci-log-triage`). */
export class BuiltinPolicies {
  private readonly byName = new Map<string, BuiltinPolicy>();

  register(name: string, policy: BuiltinPolicy): this {
    if (this.byName.has(name)) throw new Error(`builtin policy "${name}" is already registered`);
    this.byName.set(name, policy);
    return this;
  }

  get(name: string): BuiltinPolicy | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

export interface BuiltinProviderOptions {
  policies: BuiltinPolicies;
  /** Policy used when a request names none in `model`. */
  policy?: string;
}

/** No network and no text generation: delegates each call to the named policy. Usage is zero. */
export class BuiltinProvider implements ModelProvider {
  readonly name = 'builtin';

  constructor(private readonly options: BuiltinProviderOptions) {}

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const name = request.model ?? this.options.policy;
    const policy = name === undefined ? undefined : this.options.policies.get(name);
    if (!name || !policy) {
      const known = this.options.policies.names().join(', ') || 'none';
      throw new ModelProviderError(
        `${name ? `no builtin policy named "${name}"` : 'no builtin policy chosen'}; set the model to one of: ${known}`,
        { provider: this.name, kind: 'configuration' },
      );
    }
    if (request.signal?.aborted)
      throw new ModelProviderError(
        `the call to builtin policy "${name}" was aborted by its caller`,
        {
          provider: this.name,
          kind: 'aborted',
        },
      );
    const decision = await policy.decide(request);
    const toolCalls = decision.toolCalls ?? [];
    const text = decision.text ?? '';
    return {
      text,
      toolCalls,
      stopReason: decision.stopReason ?? (toolCalls.length ? 'tool_use' : 'end_turn'),
      usage: zeroUsage(),
      content: [
        ...(text ? [{ type: 'text' as const, text }] : []),
        ...toolCalls.map((call) => ({ type: 'tool_use' as const, ...call })),
      ],
      model: name,
    };
  }
}
