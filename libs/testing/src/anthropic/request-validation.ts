import type { IncomingHttpHeaders } from 'node:http';
import type { WireBlock, WireMessagesRequest } from './wire-types';

export interface ValidationFailure {
  status: number;
  type: string;
  message: string;
}

/**
 * Accepts the key as `x-api-key` or as `Authorization: Bearer` (the SDK's 1.x clients send the
 * latter), and wants an `anthropic-version`.
 */
export function checkHeaders(
  headers: IncomingHttpHeaders,
  apiKey: string,
): ValidationFailure | undefined {
  const key = headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer /, '');
  if (key !== apiKey) {
    return { status: 401, type: 'authentication_error', message: 'invalid x-api-key' };
  }
  if (!headers['anthropic-version']) {
    return invalid('anthropic-version: header is required');
  }
  return undefined;
}

/**
 * The checks of the real API that a client of ours could trip, with its wording where known.
 * `apiVersion` matters for sampling parameters: 2026-10-21 (sent by SDK 1.x) removed them.
 */
export function checkBody(body: unknown, apiVersion = '2026-10-21'): ValidationFailure | undefined {
  if (!isObject(body)) return invalid('body: expected a JSON object');
  const request = body as Partial<WireMessagesRequest>;
  if (typeof request.model !== 'string' || !request.model) return invalid('model: Field required');
  if (!Number.isInteger(request.max_tokens) || (request.max_tokens as number) < 1) {
    return invalid('max_tokens: Field required (a positive integer)');
  }
  if (request.stream)
    return invalid('stream: this test server does not stream; call without stream');
  for (const sampling of ['temperature', 'top_p', 'top_k']) {
    const value = request[sampling];
    if (value === undefined) continue;
    if (apiVersion >= '2026-10-21') return invalid(`${sampling}: Extra inputs are not permitted`);
    if (typeof value !== 'number' || value < 0 || (sampling !== 'top_k' && value > 1)) {
      return invalid(`${sampling}: out of range`);
    }
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return invalid('messages: at least one message is required');
  }
  return (
    checkSystem(request.system) ??
    checkTools(request.tools) ??
    checkMessages(request.messages) ??
    checkCacheBreakpoints(request as WireMessagesRequest)
  );
}

function checkSystem(system: unknown): ValidationFailure | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return invalid('system: expected a string or a list of text blocks');
  const bad = system.findIndex(
    (b) => !isObject(b) || b.type !== 'text' || typeof b.text !== 'string',
  );
  return bad >= 0 ? invalid(`system.${bad}: expected a text block`) : undefined;
}

function checkTools(tools: unknown): ValidationFailure | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return invalid('tools: expected a list');
  for (const [i, tool] of tools.entries()) {
    if (
      !isObject(tool) ||
      typeof tool.name !== 'string' ||
      !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)
    ) {
      return invalid(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
    }
    if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') {
      return invalid(`tools.${i}.input_schema.type: Input should be 'object'`);
    }
  }
  return undefined;
}

function checkMessages(messages: unknown[]): ValidationFailure | undefined {
  for (const [i, message] of messages.entries()) {
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    const { content } = message;
    if (typeof content === 'string') continue;
    if (!Array.isArray(content) || content.length === 0) {
      return invalid(`messages.${i}.content: expected a string or a non-empty list of blocks`);
    }
    for (const [j, block] of content.entries()) {
      const failure = checkBlock(block, message.role, `messages.${i}.content.${j}`);
      if (failure) return failure;
    }
  }
  return checkToolPairing(messages as { role: string; content: string | WireBlock[] }[]);
}

function checkBlock(block: unknown, role: unknown, at: string): ValidationFailure | undefined {
  if (!isObject(block)) return invalid(`${at}: expected a block`);
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? undefined : invalid(`${at}.text: Field required`);
    case 'tool_use':
      if (role !== 'assistant') return invalid(`${at}: tool_use blocks belong in assistant turns`);
      return typeof block.id === 'string' && typeof block.name === 'string' && isObject(block.input)
        ? undefined
        : invalid(`${at}: tool_use needs id, name and an object input`);
    case 'tool_result':
      if (role !== 'user') return invalid(`${at}: tool_result blocks belong in user turns`);
      return typeof block.tool_use_id === 'string'
        ? undefined
        : invalid(`${at}.tool_use_id: Field required`);
    case 'image':
    case 'document':
      return undefined;
    default:
      return invalid(`${at}.type: unknown block type ${JSON.stringify(block.type)}`);
  }
}

/** Every tool_use must be answered by a tool_result in the very next message, and only those. */
function checkToolPairing(messages: { role: string; content: string | WireBlock[] }[]) {
  const blocksOf = (i: number): WireBlock[] => {
    const content = messages[i]?.content;
    return Array.isArray(content) ? content : [];
  };
  for (let i = 0; i < messages.length; i++) {
    const asked = new Set(blocksOf(i - 1).flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])));
    const answered = blocksOf(i).flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : []));
    const unexpected = answered.filter((id) => !asked.has(id));
    if (unexpected.length) {
      return invalid(
        `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unexpected.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
    if (i > 0 && asked.size) {
      const missing = [...asked].filter((id) => !answered.includes(id));
      if (missing.length) {
        return invalid(
          `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
    }
  }
  return undefined;
}

function checkCacheBreakpoints(request: WireMessagesRequest): ValidationFailure | undefined {
  const blocks: { cache_control?: unknown }[] = [
    ...(request.tools ?? []),
    ...(Array.isArray(request.system) ? request.system : []),
    ...request.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])),
  ];
  const marked = blocks.filter((b) => b.cache_control);
  const bad = marked.find(
    (b) => !isObject(b.cache_control) || b.cache_control.type !== 'ephemeral',
  );
  if (bad) return invalid(`cache_control.type: Input should be 'ephemeral'`);
  if (marked.length > 4) {
    return invalid(
      `A maximum of 4 blocks with cache_control may be provided. Found ${marked.length}.`,
    );
  }
  return undefined;
}

function invalid(message: string): ValidationFailure {
  return { status: 400, type: 'invalid_request_error', message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
