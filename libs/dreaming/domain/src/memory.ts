/**
 * What the dreams of one agent in one environment remember across dreams, so they compound:
 * the candidate changes validated and refused (skipped next time, so the budget goes elsewhere),
 * how many were tried, and whether the last dream found nothing left to learn.
 */
export interface DreamMemory {
  agentId: string;
  environment: string;
  /** Refused candidates, newest last (at most MEMORY_MAX_REFUSED). */
  refused: RefusedCandidate[];
  /** Alternatives validated over all dreams. */
  tried: number;
  /** Dreams that ran their stages to the end. */
  dreams: number;
  /** Whether the last dream found nothing left to learn. */
  lastExhausted: boolean;
}

export interface RefusedCandidate {
  /** `candidateSignature` of the alternative's drafts. */
  signature: string;
  title: string;
  /** The gate's reason, with the split it comes from. */
  reason: string;
  dreamId: string;
}

/** Refusals remembered per agent and environment (the oldest are forgotten first). */
export const MEMORY_MAX_REFUSED = 500;

export function emptyMemory(agentId: string, environment: string): DreamMemory {
  return { agentId, environment, refused: [], tried: 0, dreams: 0, lastExhausted: false };
}

/** Adds a refusal (once per signature), forgetting the oldest beyond MEMORY_MAX_REFUSED. */
export function rememberRefused(memory: DreamMemory, r: RefusedCandidate): void {
  if (memory.refused.some((x) => x.signature === r.signature)) return;
  memory.refused.push(r);
  if (memory.refused.length > MEMORY_MAX_REFUSED)
    memory.refused.splice(0, memory.refused.length - MEMORY_MAX_REFUSED);
}

/** Sorts object keys, so equal rules serialise equally. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * What an alternative changes, as a string: each draft's role and rule (or its title when it
 * has no rule), sorted. Texts and evidence are left out: the same rule drafted again with
 * other words or from other sessions is the same candidate.
 */
export function candidateSignature(
  drafts: readonly { role: string | null; draft: { title: string; rule?: unknown } }[],
): string {
  return drafts
    .map((d) => `${d.role ?? '-'}:${JSON.stringify(canonical(d.draft.rule ?? d.draft.title))}`)
    .sort()
    .join('|');
}
