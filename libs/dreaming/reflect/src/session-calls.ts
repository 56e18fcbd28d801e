import type { SessionEventBody } from '@reverie/contracts';
import type { CallRecord } from '@reverie/tool-rules';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The error code a failed tool result carries (`output.error.code`, `output.code`), if any. */
function errorCodeOf(output: unknown): string | null {
  if (!isRecord(output)) return null;
  const inner = isRecord(output.error) ? output.error : output;
  return typeof inner.code === 'string' && inner.code ? inner.code.slice(0, 64) : null;
}

function retryAfterOf(output: unknown): number | null {
  if (!isRecord(output)) return null;
  const inner = isRecord(output.error) ? output.error : output;
  const v = inner.retry_after_ms ?? inner.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A session's tool calls, what each returned, and the events that were not calls. */
export interface SessionCalls {
  calls: CallRecord[];
  /** `error` events the agent reported, with the step and actor they name. */
  errors: { step: number | null; actor: string | null; code: string | null }[];
  /** Events of types this reader does not use (counted, for the report). */
  ignored: number;
}

/**
 * Reads a session's tool calls from its events, in order: each `tool_call` with its `tool_result`
 * (matched by `toolCallId`; a call with no result counts as failed with `no_result`), the wait
 * (`action` named `wait` with `params.ms`) right before it. Works on any agent's events: events
 * without a step or an actor, and types it does not know, are tolerated.
 */
export function sessionCalls(events: readonly SessionEventBody[]): SessionCalls {
  const results = new Map<string, Extract<SessionEventBody, { type: 'tool_result' }>>();
  for (const e of events) if (e.type === 'tool_result') results.set(e.toolCallId, e);
  const calls: CallRecord[] = [];
  const errors: SessionCalls['errors'] = [];
  let waited = 0;
  let ignored = 0;
  for (const e of events) {
    if (e.type === 'action' && e.name === 'wait') {
      const ms = Number(e.params?.ms);
      if (Number.isFinite(ms) && ms > 0) waited += ms;
    } else if (e.type === 'tool_call') {
      const result = results.get(e.toolCallId);
      const ok = !!result && result.isError !== true;
      calls.push({
        tool: e.name,
        actor: e.actor ?? null,
        args: isRecord(e.input) ? e.input : {},
        ok,
        errorCode: ok ? null : result ? (errorCodeOf(result.output) ?? 'error') : 'no_result',
        retryAfterMs: result && !ok ? retryAfterOf(result.output) : null,
        waitedMs: waited,
        step: e.step ?? null,
      });
      waited = 0;
    } else if (e.type === 'error') {
      errors.push({ step: e.step ?? null, actor: e.actor ?? null, code: e.code ?? null });
    } else if (
      !['message', 'tool_result', 'observation', 'action', 'model_call'].includes(e.type)
    ) {
      ignored++;
    }
  }
  return { calls, errors, ignored };
}

/** The index of the first failed call that no later call of the same tool made good, or -1. */
export function firstUnrecovered(calls: readonly CallRecord[]): number {
  return calls.findIndex(
    (c, i) => !c.ok && !calls.slice(i + 1).some((later) => later.tool === c.tool && later.ok),
  );
}
