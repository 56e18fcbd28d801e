import type { SessionEventBody } from '@reverie/contracts';
import { firstUnrecovered, sessionCalls } from './session-calls';

/** A past session as the general reflectors read it: any agent, no simulator. */
export interface ReviewedSession {
  id: string;
  succeeded: boolean;
  /** Sessions of the same kind of task share it (divergence compares within a kind). */
  kind: string;
  events: readonly SessionEventBody[];
  /** The grader's failed criteria, with the step each points at (null: none). */
  failedCriteria: { id: string; step: number | null }[];
  /** People's feedback on the session's events. */
  feedback: {
    rating: 'positive' | 'negative';
    step: number | null;
    actor: string | null;
    comment?: string;
  }[];
}

export interface ExternalLocalisation {
  sessionId: string;
  step: number | null;
  actor: string | null;
  method: 'error' | 'feedback' | 'divergence' | 'criteria';
  /** 0..1: how sure the localiser is (raised when two signals agree on the step). */
  confidence: number;
  /** One line: what went wrong there, or why nothing was found. */
  detail: string;
}

interface Signal {
  method: ExternalLocalisation['method'];
  step: number | null;
  actor: string | null;
  confidence: number;
  detail: string;
}

function errorSignal(s: ReviewedSession): Signal | null {
  const { calls, errors } = sessionCalls(s.events);
  const i = firstUnrecovered(calls);
  if (i >= 0) {
    const c = calls[i];
    return {
      method: 'error',
      step: c.step,
      actor: c.actor,
      confidence: 0.75,
      detail: `${c.actor ?? 'the agent'}'s ${c.tool} call failed with ${c.errorCode} and was never made good`,
    };
  }
  const e = errors[0];
  return e
    ? {
        method: 'error',
        step: e.step,
        actor: e.actor,
        confidence: 0.6,
        detail: `the agent reported an error${e.code ? ` (${e.code})` : ''}`,
      }
    : null;
}

function feedbackSignal(s: ReviewedSession): Signal | null {
  const f = s.feedback.find((x) => x.rating === 'negative' && x.step !== null);
  return f
    ? {
        method: 'feedback',
        step: f.step,
        actor: f.actor,
        confidence: 0.7,
        detail: `negative feedback on this step${f.comment ? `: "${f.comment.slice(0, 120)}"` : ''}`,
      }
    : null;
}

/** The first call where the failed session leaves the closest successful session of its kind. */
function divergenceSignal(
  s: ReviewedSession,
  successes: readonly ReviewedSession[],
): Signal | null {
  const mine = sessionCalls(s.events).calls;
  let best: { prefix: number; other: string[] } | null = null;
  for (const ok of successes) {
    const other = sessionCalls(ok.events).calls.map((c) => `${c.actor ?? ''}:${c.tool}`);
    let prefix = 0;
    while (
      prefix < mine.length &&
      prefix < other.length &&
      `${mine[prefix].actor ?? ''}:${mine[prefix].tool}` === other[prefix]
    )
      prefix++;
    if (!best || prefix > best.prefix) best = { prefix, other };
  }
  if (!best || !mine.length) return null;
  const at = mine[Math.min(best.prefix, mine.length - 1)];
  const expected = best.other[best.prefix]?.split(':')[1];
  return {
    method: 'divergence',
    step: at.step,
    actor: at.actor,
    confidence: 0.5,
    detail: expected
      ? `successful sessions of this kind call ${expected} here; this one called ${mine[best.prefix]?.tool ?? 'nothing'}`
      : `this session goes on past where successful sessions of this kind stop (${at.tool})`,
  };
}

function criteriaSignal(s: ReviewedSession): Signal | null {
  const c = s.failedCriteria.find((x) => x.step !== null);
  return c
    ? {
        method: 'criteria',
        step: c.step,
        actor: null,
        confidence: 0.4,
        detail: `the grader's criterion "${c.id}" failed here`,
      }
    : null;
}

/**
 * Localises a failed session to a step and an actor without a simulator: the first tool error
 * never made good, negative feedback on an event, the first divergence from the closest successful
 * session of the same kind, or the grader's failed criteria; the strongest signal wins and its
 * confidence rises when another agrees (within one step). When nothing is found, says why.
 */
export function localiseSession(
  session: ReviewedSession,
  successesOfKind: readonly ReviewedSession[],
): ExternalLocalisation {
  const signals = [
    errorSignal(session),
    feedbackSignal(session),
    divergenceSignal(session, successesOfKind),
    criteriaSignal(session),
  ].filter((x): x is Signal => x !== null && x.step !== null);
  if (!signals.length) {
    const why = [
      session.events.length ? 'no tool error or reported error' : 'the session has no events',
      'no negative feedback on a step',
      successesOfKind.length
        ? 'no call to compare with successful sessions'
        : `no successful session of kind "${session.kind}" to compare with`,
      session.failedCriteria.length
        ? "the grader's failed criteria point at no step"
        : 'no failed criterion with a step',
    ];
    return {
      sessionId: session.id,
      step: null,
      actor: null,
      method: 'criteria',
      confidence: 0,
      detail: `not localised: ${why.join('; ')}`,
    };
  }
  const [best, ...others] = [...signals].sort((a, b) => b.confidence - a.confidence);
  const agreeing = others.filter((o) => Math.abs((o.step ?? -99) - (best.step ?? 0)) <= 1);
  return {
    sessionId: session.id,
    step: best.step,
    actor: best.actor ?? agreeing.find((a) => a.actor)?.actor ?? null,
    method: best.method,
    confidence: Math.min(0.95, best.confidence + 0.1 * agreeing.length),
    detail: `${best.detail}${agreeing.length ? ` (${agreeing.map((a) => a.method).join(', ')} agree)` : ''}`,
  };
}
