import type { SessionEventBody } from '@reverie/contracts';
import type { OutcomeEnvironment } from './fact-names';

/** What the grader knows about the session besides its events. */
export interface SessionInfo {
  status: 'completed' | 'failed' | 'canceled' | 'running';
  /** The session's environment (`lunar-lander`, `ci-log-triage`); absent for client sessions. */
  environment?: string;
  /** Why the session ended, when the store recorded it (used to explain a failed session). */
  reason?: string;
}

export type FactValue = number | boolean | string;

/** Token counts summed over model calls; `total` is all four added. */
export interface TokenTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
}

export interface ModelCallFact {
  provider: string;
  model: string;
  step: number | null;
  usage: TokenTotals;
}

/** The session's answer: a triage submit, a landing result, or the last assistant message. */
export interface FinalAnswer {
  /** The answer as text (JSON text for structured answers); null when there is none. */
  text: string | null;
  /** The answer as JSON (null when there is none or it is plain text). */
  json: unknown;
  step: number | null;
}

/** Everything graders check, computed once from a session's events. */
export interface Facts {
  /** The environment the facts were computed for (given, or inferred from the events). */
  environment: OutcomeEnvironment;
  /** Fact name → value (see FACT_NAMES); a fact the session lacks is absent here. */
  values: Record<string, FactValue>;
  /** Fact name → the step the value was taken at. */
  pointers: Record<string, number>;
  /** Fact name → why the session lacks it (e.g. `the flight ended aborted at step 12 ...`). */
  absent: Record<string, string>;
  finalAnswer: FinalAnswer;
  /** Highest step seen (0 when no event carries a step). */
  steps: number;
  /** The step of the last event that carries one. */
  lastStep: number | null;
  tokens: TokenTotals & { byModel: Record<string, TokenTotals> };
  /** Every model call in stored order (token budgets find the step a budget was crossed at). */
  modelCalls: ModelCallFact[];
  /** Every `tool_call` and `action`, in stored order. */
  toolCalls: Array<{ name: string; step: number | null }>;
  /** A triage session's own recorded precision/recall/F1 (its last `result` observation). */
  recordedScore: { precision: number; recall: number; f1: number } | null;
}

/** What an environment contributes to the facts. */
export interface EnvironmentFacts {
  values: Record<string, FactValue>;
  pointers: Record<string, number>;
  absent: Record<string, string>;
  finalAnswer: FinalAnswer;
  recordedScore?: Facts['recordedScore'];
}

export type Observation = Extract<SessionEventBody, { type: 'observation' }>;

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const NO_ANSWER: FinalAnswer = { text: null, json: null, step: null };

/** The last observation whose `data.result` passes `test`, with that result. */
export function lastResult<T extends Record<string, unknown>>(
  events: readonly SessionEventBody[],
  test: (result: Record<string, unknown>) => result is T,
): { event: Observation; result: T } | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'observation' && isRecord(e.data.result) && test(e.data.result))
      return { event: e, result: e.data.result };
  }
  return null;
}
