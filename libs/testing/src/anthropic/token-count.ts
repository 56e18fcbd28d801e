import { createHash, type Hash } from 'node:crypto';
import type { WireBlock, WireMessagesRequest, WireUsage } from './wire-types';

/** A crude token count (about four characters a token), enough to compare prompt sizes. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

interface Segment {
  text: string;
  breakpoint: boolean;
}

/**
 * Simulates prompt caching the way the API accounts for it: the prompt is read in order (tools,
 * system, messages); a `cache_control` block ends a cacheable prefix. The longest prefix seen
 * before is a cache read, the part up to the last breakpoint beyond it a cache write, the rest
 * plain input. Prefixes shorter than `minCacheableTokens` are never cached, as with the real API.
 */
export class PromptCache {
  private readonly cached = new Set<string>();

  constructor(private readonly minCacheableTokens = 0) {}

  usageFor(body: WireMessagesRequest): Omit<WireUsage, 'output_tokens'> {
    const segments = promptSegments(body);
    const hash = createHash('sha256').update(String(body.model));
    let total = 0;
    let read = 0;
    let lastBreakpoint = 0;
    const keys: string[] = [];
    for (const segment of segments) {
      hash.update(segment.text);
      total += countTokens(segment.text);
      if (!segment.breakpoint || total < this.minCacheableTokens) continue;
      const key = digest(hash);
      if (this.cached.has(key)) read = total;
      lastBreakpoint = total;
      keys.push(key);
    }
    keys.forEach((key) => this.cached.add(key));
    const write = Math.max(0, lastBreakpoint - read);
    return {
      input_tokens: total - read - write,
      cache_read_input_tokens: read,
      cache_creation_input_tokens: write,
    };
  }
}

function digest(hash: Hash): string {
  return hash.copy().digest('hex');
}

function promptSegments(body: WireMessagesRequest): Segment[] {
  const segments: Segment[] = [];
  const push = (value: { cache_control?: unknown } & object, prefix = '') => {
    const { cache_control, ...rest } = value;
    // Text counts as itself; anything else (tools, tool calls and results) as its JSON.
    const text =
      'type' in rest && rest.type === 'text' && 'text' in rest
        ? String(rest.text)
        : JSON.stringify(rest);
    segments.push({ text: prefix + text, breakpoint: Boolean(cache_control) });
  };
  for (const tool of body.tools ?? []) push(tool);
  if (typeof body.system === 'string') segments.push({ text: body.system, breakpoint: false });
  else for (const block of body.system ?? []) push(block);
  for (const message of body.messages) {
    const blocks: WireBlock[] =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : message.content;
    for (const block of blocks) push(block, message.role === 'user' ? '' : ' ');
  }
  return segments;
}
