/** Lane order of a session timeline: the lunar team first, then any other actor as it appears. */
const KNOWN = ['commander', 'detector', 'navigator', 'environment', 'grader'];

/** The lane of an event: its actor, or `agent` for a single agent's events. */
export const laneOf = (e: { actor?: string }) => e.actor || 'agent';

export function lanesOf(events: readonly { actor?: string }[]): string[] {
  const seen = new Set<string>();
  for (const e of events) seen.add(laneOf(e));
  const known = KNOWN.filter((k) => seen.has(k));
  const others = [...seen].filter((a) => !KNOWN.includes(a));
  return [...known, ...others];
}

/** One line about an event for its timeline card. */
export function eventSummary(e: {
  type: string;
  name?: string;
  to?: string;
  content?: unknown;
  data?: Record<string, unknown>;
  params?: Record<string, unknown>;
  input?: unknown;
  output?: unknown;
  message?: string;
  code?: string;
  isError?: boolean;
}): string {
  const text = (v: unknown) =>
    typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
  switch (e.type) {
    case 'message':
      return `${e.to ? `→ ${e.to}: ` : ''}${text(e.content)}`;
    case 'tool_call':
      return `${e.name ?? ''} ${text(e.input ?? '')}`.trim();
    case 'action':
      return `${e.name ?? ''} ${text(e.params ?? '')}`.trim();
    case 'tool_result':
      return `${e.isError ? 'error: ' : ''}${text(e.output)}`;
    case 'error':
      return `${e.code ? `${e.code}: ` : ''}${e.message ?? ''}`;
    default:
      return text(e.data ?? e.content ?? '');
  }
}
