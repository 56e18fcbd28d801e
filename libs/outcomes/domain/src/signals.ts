import type { SessionEventBody } from '@reverie/contracts';

/** Something worth feeding back that no criterion asked about. */
export interface SessionSignal {
  kind: 'unrecovered_tool_error' | 'error' | 'user_correction';
  step: number | null;
  detail: string;
}

const MAX_DETAIL = 300;
const short = (s: string) => (s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}…` : s);
const text = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

/**
 * Signals read straight from the events, in stored order:
 * - `unrecovered_tool_error`: a tool result with `isError` whose tool was not later called again
 *   with a successful result (the agent did not recover);
 * - `error`: every `error` event;
 * - `user_correction`: a `user` message after the first `assistant` message (a person correcting
 *   the agent).
 */
export function automaticSignals(events: readonly SessionEventBody[]): SessionSignal[] {
  const toolOf = new Map<string, string>();
  for (const e of events) if (e.type === 'tool_call') toolOf.set(e.toolCallId, e.name);
  // The index of each tool's last successful result.
  const lastSuccess = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.type === 'tool_result' && !e.isError) {
      const tool = toolOf.get(e.toolCallId);
      if (tool) lastSuccess.set(tool, i);
    }
  });

  const signals: SessionSignal[] = [];
  let assistantSpoke = false;
  events.forEach((e, i) => {
    const step = e.step ?? null;
    if (e.type === 'tool_result' && e.isError) {
      const tool = toolOf.get(e.toolCallId) ?? 'an unknown tool';
      if ((lastSuccess.get(tool) ?? -1) < i)
        signals.push({
          kind: 'unrecovered_tool_error',
          step,
          detail: short(`${tool}: ${text(e.output)}`),
        });
    } else if (e.type === 'error') {
      signals.push({
        kind: 'error',
        step,
        detail: short(e.code ? `${e.code}: ${e.message}` : e.message),
      });
    } else if (e.type === 'message') {
      if (e.role === 'assistant') assistantSpoke = true;
      else if (e.role === 'user' && assistantSpoke)
        signals.push({ kind: 'user_correction', step, detail: short(e.content) });
    }
  });
  return signals;
}
