import type { WireUsage } from './wire-types';

interface Timing {
  /** Answer only after this long (for timeout tests); pending answers end when the server closes. */
  delayMs?: number;
}

export interface TextReply extends Timing {
  kind: 'text';
  text: string;
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'refusal';
  /** Overrides the counted usage field by field. */
  usage?: Partial<WireUsage>;
}

export interface ScriptedToolCall {
  name: string;
  input: unknown;
  /** Generated (`toolu_test_<n>`) when omitted. */
  id?: string;
}

export interface ToolUseReply extends Timing {
  kind: 'tool_use';
  calls: ScriptedToolCall[];
  /** Text before the tool calls, as models often write. */
  text?: string;
  usage?: Partial<WireUsage>;
}

export interface ErrorReply extends Timing {
  kind: 'error';
  status: number;
  /** The API's error type: `rate_limit_error`, `overloaded_error`, `api_error`, ... */
  type: string;
  message: string;
  /** Sent as the `retry-after` header, in seconds. */
  retryAfter?: number;
  /** Sent as the `retry-after-ms` header. */
  retryAfterMs?: number;
}

/** Closes the connection without answering. */
export interface DropReply {
  kind: 'drop';
}

export type ScriptedReply = TextReply | ToolUseReply | ErrorReply | DropReply;

export function textReply(
  text: string,
  extra: Partial<Omit<TextReply, 'kind' | 'text'>> = {},
): TextReply {
  return { kind: 'text', text, ...extra };
}

export function toolUseReply(
  calls: ScriptedToolCall[],
  extra: Partial<Omit<ToolUseReply, 'kind' | 'calls'>> = {},
): ToolUseReply {
  return { kind: 'tool_use', calls, ...extra };
}

export function errorReply(
  status: number,
  type: string,
  message: string,
  extra: Partial<Omit<ErrorReply, 'kind' | 'status' | 'type' | 'message'>> = {},
): ErrorReply {
  return { kind: 'error', status, type, message, ...extra };
}

export function rateLimited(retryAfterSeconds?: number): ErrorReply {
  return errorReply(
    429,
    'rate_limit_error',
    'Number of request tokens has exceeded your rate limit.',
    {
      retryAfter: retryAfterSeconds,
    },
  );
}

export function overloaded(): ErrorReply {
  return errorReply(529, 'overloaded_error', 'Overloaded');
}

export function dropConnection(): DropReply {
  return { kind: 'drop' };
}
