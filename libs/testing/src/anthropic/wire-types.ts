/**
 * The Messages API as it appears on the wire, loosely typed on purpose: the server must accept
 * what the SDK sends and tests read these fields directly (`body.messages[2].content[0].is_error`).
 */
export interface WireCacheControl {
  type: string;
  ttl?: string;
}

export interface WireBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: string | WireBlock[];
  is_error?: boolean;
  cache_control?: WireCacheControl | null;
  [field: string]: unknown;
}

export interface WireMessage {
  role: string;
  content: string | WireBlock[];
}

export interface WireTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  cache_control?: WireCacheControl | null;
  [field: string]: unknown;
}

export interface WireMessagesRequest {
  model: string;
  max_tokens: number;
  messages: WireMessage[];
  system?: string | WireBlock[];
  tools?: WireTool[];
  temperature?: number;
  stream?: boolean;
  [field: string]: unknown;
}

export interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}
