import type { SessionEventBody } from '@reverie/contracts';
import {
  fact,
  isNumber,
  isRecord,
  lastResult,
  NO_ANSWER,
  type EnvironmentFacts,
  type FactInfo,
  type FactValue,
  type FinalAnswer,
} from '@reverie/environment-kit';
import { countLines, type LineRange } from './line-range';

/** Every value a `bound` criterion of a ci-log-triage rubric may name; `triageFacts` computes them. */
export const TRIAGE_FACT_NAMES = {
  'answer.ranges': fact('answer ranges', 'How many line ranges the submitted answer has.'),
  'answer.lines': fact('answer lines', 'How many distinct log lines the submitted answer covers.'),
} as const satisfies Record<string, FactInfo>;

/** The name of the action (builtin triager) or tool (model triager) that submits the answer. */
export const SUBMIT_ANSWER = 'submit_answer';

/** `[{ start, end }]` with whole line numbers, or null. */
export function asLineRanges(v: unknown): LineRange[] | null {
  if (!Array.isArray(v)) return null;
  const ranges: LineRange[] = [];
  for (const r of v) {
    if (!isRecord(r) || !Number.isInteger(r.start) || !Number.isInteger(r.end)) return null;
    ranges.push({ start: r.start as number, end: r.end as number });
  }
  return ranges;
}

interface Submitted {
  ranges: LineRange[];
  step: number | null;
}

/**
 * The answer a triage session submitted: the last `submit_answer` action (builtin triager) or the
 * last `submit_answer` tool call whose result was not an error (model triager); failing both, the
 * `answer` of the session's recorded result.
 */
export function submittedRanges(events: readonly SessionEventBody[]): Submitted | null {
  const failedCalls = new Set(
    events.flatMap((e) => (e.type === 'tool_result' && e.isError ? [e.toolCallId] : [])),
  );
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    const ranges =
      e.type === 'action' && e.name === SUBMIT_ANSWER
        ? asLineRanges(e.params?.ranges)
        : e.type === 'tool_call' && e.name === SUBMIT_ANSWER && !failedCalls.has(e.toolCallId)
          ? asLineRanges(e.input.ranges)
          : null;
    if (ranges) return { ranges, step: e.step ?? null };
  }
  const recorded = lastResult(events, (r): r is { answer: unknown } => 'answer' in r);
  const ranges = recorded && asLineRanges(recorded.result.answer);
  return ranges ? { ranges, step: recorded.event.step ?? null } : null;
}

/** The triage result the environment recorded (scored against labels it alone saw). */
function recordedScore(events: readonly SessionEventBody[]) {
  const found = lastResult(
    events,
    (r): r is Record<string, unknown> & { precision: number; recall: number; f1: number } =>
      isNumber(r.precision) && isNumber(r.recall) && isNumber(r.f1),
  );
  if (!found) return null;
  const { precision, recall, f1 } = found.result;
  return { precision, recall, f1 };
}

/** CI-log triage facts: the submitted answer's size; the final answer is `{ ranges }`. */
export function triageFacts(events: readonly SessionEventBody[]): EnvironmentFacts {
  const values: Record<string, FactValue> = {};
  const pointers: Record<string, number> = {};
  const absent: Record<string, string> = {};
  const submitted = submittedRanges(events);
  let finalAnswer: FinalAnswer = NO_ANSWER;
  if (submitted) {
    values['answer.ranges'] = submitted.ranges.length;
    values['answer.lines'] = countLines(submitted.ranges);
    if (submitted.step !== null)
      pointers['answer.ranges'] = pointers['answer.lines'] = submitted.step;
    const json = { ranges: submitted.ranges };
    finalAnswer = { text: JSON.stringify(json), json, step: submitted.step };
  } else {
    absent['answer.ranges'] = absent['answer.lines'] =
      `the session submitted no answer (no ${SUBMIT_ANSWER})`;
  }
  return { values, pointers, absent, finalAnswer, recordedScore: recordedScore(events) };
}
