import type Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlock,
  ModelRequest,
  ModelResponse,
  StopReason,
  TokenUsage,
  ToolCall,
} from './model-provider';
import { contentBlocks } from './model-provider';

/** Our request as Messages API parameters. Cached system blocks become cache breakpoints. */
export function toMessageParams(
  request: ModelRequest,
  model: string,
  maxTokens: number,
): Anthropic.MessageCreateParamsNonStreaming {
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model,
    max_tokens: maxTokens,
    messages: request.messages.map((message) => ({
      role: message.role,
      content: contentBlocks(message).map(toBlockParam),
    })),
  };
  if (request.system?.length) {
    params.system = request.system.map((block) => ({
      type: 'text',
      text: block.text,
      ...(block.cache ? { cache_control: { type: 'ephemeral' } } : {}),
    }));
  }
  if (request.tools?.length) {
    params.tools = request.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.inputSchema,
    }));
    if (request.toolChoice) params.tool_choice = request.toolChoice;
  }
  return params;
}

function toBlockParam(block: ContentBlock): Anthropic.ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: block.toolUseId,
        content: block.content,
        ...(block.isError ? { is_error: true } : {}),
      };
  }
}

/** The API's reply in our terms. Block kinds we don't use (thinking, server tools) are dropped. */
export function fromMessage(message: Anthropic.Message): ModelResponse {
  const content: ContentBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') content.push({ type: 'text', text: block.text });
    if (block.type === 'tool_use') {
      const call = { id: block.id, name: block.name, input: block.input };
      content.push({ type: 'tool_use', ...call });
      toolCalls.push(call);
    }
  }
  return {
    text: content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n'),
    toolCalls,
    stopReason: toStopReason(message.stop_reason),
    usage: toUsage(message.usage),
    content,
    model: message.model,
  };
}

export function toUsage(usage: Anthropic.Usage): TokenUsage {
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
}

function toStopReason(reason: string | null): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
    case 'refusal':
      return reason;
    case 'model_context_window_exceeded':
      // The reply was cut short, as with max_tokens; the caller handles both the same way.
      return 'max_tokens';
    default:
      return 'other';
  }
}
