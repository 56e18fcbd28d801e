import type { SessionEventBody } from '@reverie/contracts';
import { defineEnvironment, type FinalAnswer, NO_ANSWER } from '@reverie/environment-kit';

/** An external session's answer: the last assistant message, as JSON too when it parses. */
function lastAssistantMessage(events: readonly SessionEventBody[]): FinalAnswer {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type !== 'message' || e.role !== 'assistant') continue;
    let json: unknown = null;
    try {
      json = JSON.parse(e.content);
    } catch {
      json = null;
    }
    return { text: e.content, json, step: e.step ?? null };
  }
  return NO_ANSWER;
}

/**
 * Sessions a client's own agent runs and reports over REST, with no simulator behind them: no
 * task, no facts of its own (only the generic ones), the last assistant message as the answer.
 * Also what a session that names no environment, and whose events show none, is graded as.
 */
export const EXTERNAL_ENVIRONMENT = defineEnvironment({
  name: 'external',
  description: "sessions run by a client's own agent and reported over REST",
  managed: null,
  grading: {
    factNames: {},
    facts: (events) => ({
      values: {},
      pointers: {},
      absent: {},
      finalAnswer: lastAssistantMessage(events),
    }),
  },
});
