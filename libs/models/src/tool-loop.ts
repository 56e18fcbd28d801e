import type {
  ChatMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  TokenUsage,
  ToolCall,
  ToolResultBlock,
} from './model-provider';
import { addUsage, zeroUsage } from './model-provider';

/** Runs one tool call. A string result is sent as is; anything else as JSON. */
export type ToolHandler = (input: unknown) => Promise<unknown>;

export interface ToolLoopOptions {
  /** Model calls at most. */
  maxTurns: number;
  /** After each model call (turn counts from 1), e.g. to record its usage as a session event. */
  onCall?: (usage: TokenUsage, turn: number, response: ModelResponse) => void | Promise<void>;
  /** After each tool call, with the result the model will see. */
  onToolResult?: (call: ToolCall, result: ToolResultBlock, turn: number) => void | Promise<void>;
}

export interface ToolLoopResult {
  /** The last model response. */
  response: ModelResponse;
  /** The request's messages followed by every assistant turn and tool_result turn. */
  messages: ChatMessage[];
  /** Summed over all model calls. */
  usage: TokenUsage;
  turns: number;
  /**
   * `end_turn`: the model stopped asking for tools. `max_turns`: the bound was reached while it
   * still asked; those last tool calls were not run.
   */
  stoppedBy: 'end_turn' | 'max_turns';
}

/**
 * The tool-use loop: call the model, run the tools it asks for (in order, one at a time, so the
 * events they produce keep their order), send back the results, and repeat until the model stops
 * asking or `maxTurns` calls were made. A failing or unknown tool becomes an `is_error` result the
 * model can react to, not an exception.
 */
export async function runToolLoop(
  provider: ModelProvider,
  request: ModelRequest,
  tools: Record<string, ToolHandler>,
  { maxTurns, onCall, onToolResult }: ToolLoopOptions,
): Promise<ToolLoopResult> {
  if (!Number.isInteger(maxTurns) || maxTurns < 1) {
    throw new Error(`maxTurns must be a positive integer, got ${maxTurns}`);
  }
  const messages = [...request.messages];
  let usage = zeroUsage();
  for (let turn = 1; ; turn++) {
    const response = await provider.complete({ ...request, messages: [...messages] });
    usage = addUsage(usage, response.usage);
    await onCall?.(response.usage, turn, response);
    messages.push({ role: 'assistant', content: response.content });
    if (response.toolCalls.length === 0) {
      return { response, messages, usage, turns: turn, stoppedBy: 'end_turn' };
    }
    if (turn >= maxTurns) {
      return { response, messages, usage, turns: turn, stoppedBy: 'max_turns' };
    }
    const results: ToolResultBlock[] = [];
    for (const call of response.toolCalls) {
      const result = await runTool(call, tools);
      await onToolResult?.(call, result, turn);
      results.push(result);
    }
    messages.push({ role: 'user', content: results });
  }
}

async function runTool(
  call: ToolCall,
  tools: Record<string, ToolHandler>,
): Promise<ToolResultBlock> {
  const handler = Object.hasOwn(tools, call.name) ? tools[call.name] : undefined;
  if (!handler) {
    const known = Object.keys(tools).join(', ') || 'none';
    return error(call, `unknown tool "${call.name}"; the tools are: ${known}`);
  }
  try {
    const output = await handler(call.input);
    return { type: 'tool_result', toolUseId: call.id, content: serialize(output) };
  } catch (err) {
    return error(
      call,
      `tool "${call.name}" failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function error(call: ToolCall, content: string): ToolResultBlock {
  return { type: 'tool_result', toolUseId: call.id, content, isError: true };
}

function serialize(output: unknown): string {
  if (typeof output === 'string') return output;
  return JSON.stringify(output) ?? '';
}
