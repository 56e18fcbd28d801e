import { defineEnvironment, isRecord } from '@reverie/environment-kit';
import { SUPPORT_DESK_KEY, SUPPORT_FACT_NAMES, sessionTaskId, supportFacts } from './support.facts';

/**
 * A support desk worked by a client's own agent team (a coordinator delegating to a billing and
 * an account specialist) and reported over REST, the external way: no orchestrator runs it. A
 * session names its ticket in an observation `{support_desk: {task_id}}`; the grader replays its
 * tool calls against that ticket's back office.
 */
export const SUPPORT_DESK_ENVIRONMENT = defineEnvironment({
  name: 'support-desk',
  description:
    "support tickets worked by a client's own agent team (coordinator, billing, account) over REST",
  managed: null,
  grading: {
    factNames: SUPPORT_FACT_NAMES,
    facts: supportFacts,
    recognises: (event) => event.type === 'observation' && isRecord(event.data[SUPPORT_DESK_KEY]),
    taskKey: sessionTaskId,
  },
});
