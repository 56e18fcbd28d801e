import type { SessionEventBody } from '@reverie/contracts';

/** Longest single event in a transcript (characters); longer ones are cut with `…`. */
export const MAX_TRANSCRIPT_EVENT_CHARS = 1_000;

const cut = (s: string, max = MAX_TRANSCRIPT_EVENT_CHARS) =>
  s.length > max ? `${s.slice(0, max - 1)}…` : s;

const json = (v: unknown): string => {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** One event as one readable line (multi-line messages keep their lines). */
export function describeEvent(e: SessionEventBody): string {
  const at = e.step === undefined ? '[-]' : `[${e.step}]`;
  const who = e.actor ?? '';
  switch (e.type) {
    case 'message': {
      const from = who ? `${who} (${e.role})` : e.role;
      return `${at} ${from}${e.to ? ` → ${e.to}` : ''}: ${cut(e.content)}`;
    }
    case 'tool_call':
      return `${at} ${who || 'agent'} calls ${e.name} ${cut(json(e.input))}`;
    case 'tool_result':
      return `${at} ${e.isError ? 'tool error' : 'tool result'}: ${cut(json(e.output))}`;
    case 'observation':
      return `${at} ${who || 'agent'} observes ${cut(json(e.data))}`;
    case 'action':
      return `${at} ${who || 'agent'} does ${e.name}${e.params ? ` ${cut(json(e.params))}` : ''}`;
    case 'error':
      return `${at} ERROR${e.code ? ` ${e.code}` : ''}${who ? ` (${who})` : ''}: ${cut(e.message)}`;
    case 'model_call':
      return `${at} ${who || 'agent'} model call ${e.provider}/${e.model}: ${e.usage.inputTokens} in, ${e.usage.outputTokens} out`;
  }
}

/**
 * A compact, readable transcript of a session for a judge: one line per event with its step and
 * actor. When it is longer than `maxChars`, the middle is dropped (the start says what the task
 * was, the end what was done last) and a marker says how much is missing; the result never
 * exceeds `maxChars`.
 */
export function transcriptOf(events: readonly SessionEventBody[], maxChars = 40_000): string {
  const text = events.map(describeEvent).join('\n');
  if (text.length <= maxChars) return text;
  const marker = (omitted: number) =>
    `\n[… ${omitted.toLocaleString('en-US')} characters omitted …]\n`;
  const room = maxChars - marker(text.length).length;
  if (room <= 0) return text.slice(0, maxChars);
  let head = text.slice(0, Math.floor(room / 2));
  let tail = text.slice(text.length - Math.ceil(room / 2));
  // Cut at line boundaries when that keeps most of each half.
  const lastBreak = head.lastIndexOf('\n');
  if (lastBreak > head.length / 2) head = head.slice(0, lastBreak);
  const firstBreak = tail.indexOf('\n');
  if (firstBreak >= 0 && firstBreak < tail.length / 2) tail = tail.slice(firstBreak + 1);
  return `${head}${marker(text.length - head.length - tail.length)}${tail}`;
}
