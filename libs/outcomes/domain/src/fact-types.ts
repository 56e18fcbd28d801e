import type { FactValue, FinalAnswer, RecordedScore } from '@reverie/environments';
import type { OutcomeEnvironment } from './fact-names';

export type { FactValue, FinalAnswer } from '@reverie/environments';

/** What the grader knows about the session besides its events. */
export interface SessionInfo {
  status: 'completed' | 'failed' | 'canceled' | 'running';
  /** The session's environment (a registered name); absent for client sessions. */
  environment?: string;
  /** Why the session ended, when the store recorded it (used to explain a failed session). */
  reason?: string;
}

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
  recordedScore: RecordedScore | null;
}
