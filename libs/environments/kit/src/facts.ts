import type { SessionEventBody } from '@reverie/contracts';

/** What a fact means, and how an explanation names it. */
export interface FactInfo {
  description: string;
  /** Words for the value in an explanation, e.g. `vertical speed`. */
  label: string;
  /** Appended to numbers, e.g. `m/s`. */
  unit?: string;
  /** When the value was taken, e.g. `at touchdown`. */
  when?: string;
}

/** A FactInfo with only the parts given. */
export const fact = (
  label: string,
  description: string,
  unit?: string,
  when?: string,
): FactInfo => ({
  label,
  description,
  ...(unit ? { unit } : {}),
  ...(when ? { when } : {}),
});

export type FactValue = number | boolean | string;

/** The session's answer: a triage submit, a landing result, or the last assistant message. */
export interface FinalAnswer {
  /** The answer as text (JSON text for structured answers); null when there is none. */
  text: string | null;
  /** The answer as JSON (null when there is none or it is plain text). */
  json: unknown;
  step: number | null;
}

/** A session's own recorded precision/recall/F1 (a triage session's last `result` observation). */
export interface RecordedScore {
  precision: number;
  recall: number;
  f1: number;
}

/** What an environment contributes to the facts a grader checks. */
export interface EnvironmentFacts {
  /** Fact name → value; a fact the session lacks is absent here. */
  values: Record<string, FactValue>;
  /** Fact name → the step the value was taken at. */
  pointers: Record<string, number>;
  /** Fact name → why the session lacks it. */
  absent: Record<string, string>;
  finalAnswer: FinalAnswer;
  recordedScore?: RecordedScore | null;
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
