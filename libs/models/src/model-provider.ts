/**
 * Provider-neutral model types. Nothing here names an SDK type, so callers (the orchestrator, the
 * environments) can switch between `builtin` and `anthropic` without touching their code.
 */

/** A block of the system prompt. `cache: true` marks a cache breakpoint: "cache up to here". */
export interface SystemBlock {
  text: string;
  /** Set on the playbook block, which stays the same across calls and is worth caching. */
  cache?: boolean;
}

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  content: string;
  /** The tool failed; `content` says why, and the model sees it and can recover. */
  isError?: boolean;
}

export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface ChatMessage {
  role: 'user' | 'assistant';
  /** A string is shorthand for one text block. */
  content: string | ContentBlock[];
}

/** A JSON schema for a tool's input; the Messages API wants an object schema. */
export interface ToolInputSchema {
  type: 'object';
  properties?: Record<string, unknown>;
  required?: string[];
  [keyword: string]: unknown;
}

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
}

export interface ModelRequest {
  system?: SystemBlock[];
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /** Whether the model may answer in text (`auto`, the default), must use a tool, or this one. */
  toolChoice?: { type: 'auto' } | { type: 'any' } | { type: 'tool'; name: string };
  /**
   * Per agent or role; falls back to the provider's default. For the `builtin` provider this
   * names the registered policy.
   */
  model?: string;
  /** Per agent or role; falls back to the provider's default. */
  maxTokens?: number;
  /** Not for `anthropic`: its API version removed sampling parameters (it throws if set). */
  temperature?: number;
  /**
   * Aborts the call (and its retries) when it fires: the provider throws a ModelProviderError of
   * kind `aborted`. A call the server already began may still be billed.
   */
  signal?: AbortSignal;
}

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export type StopReason =
  'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'other';

/**
 * Tokens of one call (or a sum of calls). `inputTokens` excludes the cached part: the prompt's
 * size is `inputTokens + cacheReadTokens + cacheWriteTokens`.
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface ModelResponse {
  /** The text blocks of the reply, joined by newlines ('' when there are none). */
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  usage: TokenUsage;
  /** The reply's text and tool_use blocks in order, to append to the transcript as is. */
  content: ContentBlock[];
  /** The model that answered. */
  model: string;
}

export interface ModelProvider {
  /** `builtin` or `anthropic`: recorded with each call's usage. */
  readonly name: string;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

/** The provider with `signal` on every request it is given (a caller's abort reaches each call). */
export function withSignal(provider: ModelProvider, signal: AbortSignal): ModelProvider {
  return {
    name: provider.name,
    complete: (request) => provider.complete({ ...request, signal }),
  };
}

export function zeroUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/** The blocks of a message, whether it was written as a string or as blocks. */
export function contentBlocks(message: ChatMessage): ContentBlock[] {
  return typeof message.content === 'string'
    ? [{ type: 'text', text: message.content }]
    : message.content;
}
