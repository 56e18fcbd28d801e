/** What a finished ci-log-triage session answered and how it scored (from its events). */
export interface TriageOutcome {
  answer: { start: number; end: number }[];
  precision?: number;
  recall?: number;
  f1?: number;
}

/** Finds the episode's result observation among a session's events. */
export function triageOutcome(events: Record<string, unknown>[]): TriageOutcome | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    const data = event['data'] as { result?: TriageOutcome } | undefined;
    if (event['type'] === 'observation' && data?.result) return data.result;
  }
  return null;
}

export function formatRanges(answer: { start: number; end: number }[], max = 6): string {
  const parts = answer.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`));
  return parts.length > max
    ? `${parts.slice(0, max).join(', ')} … (+${parts.length - max})`
    : parts.join(', ') || '(none)';
}

export const fmt = (n: number | undefined) => (n === undefined ? '  -  ' : n.toFixed(3));
