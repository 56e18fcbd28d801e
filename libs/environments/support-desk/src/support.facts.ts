import type { SessionEventBody } from '@reverie/contracts';
import {
  fact,
  isRecord,
  NO_ANSWER,
  type EnvironmentFacts,
  type FactInfo,
  type FinalAnswer,
} from '@reverie/environment-kit';
import { supportTaskById, type SupportTask } from './tasks';
import { SupportWorld } from './world';

/** The key of the first observation's data that names the ticket a session works on. */
export const SUPPORT_DESK_KEY = 'support_desk';

/** Every value a `bound` criterion of a support-desk rubric may name; `supportFacts` computes them. */
export const SUPPORT_FACT_NAMES = {
  'support.resolved': fact(
    'resolved',
    "Whether the ticket's request was carried out exactly, replaying the session's tool calls against the ticket's back office.",
  ),
  'support.notified': fact('customer notified', 'Whether the customer was notified.'),
  'support.closed': fact('ticket closed', 'Whether the ticket was closed.'),
  'support.notified_before_close': fact(
    'notified before close',
    'Whether the customer was notified before the ticket was closed.',
  ),
  'support.tool_errors': fact('tool errors', 'How many tool calls failed on replay.'),
} as const satisfies Record<string, FactInfo>;

/** The ticket id a session's first `support_desk` observation names, or null. */
export function sessionTaskId(events: readonly SessionEventBody[]): string | null {
  for (const e of events) {
    if (e.type !== 'observation' || !isRecord(e.data[SUPPORT_DESK_KEY])) continue;
    const id = (e.data[SUPPORT_DESK_KEY] as Record<string, unknown>).task_id;
    return typeof id === 'string' ? id : null;
  }
  return null;
}

/** The task a session's first `support_desk` observation names, or null. */
export function sessionTask(events: readonly SessionEventBody[]): SupportTask | null {
  const id = sessionTaskId(events);
  return id === null ? null : supportTaskById(id);
}

export interface Replay {
  world: SupportWorld;
  errors: number;
  /** The step of the first failed call, and of the last call. */
  firstErrorStep: number | null;
  lastStep: number | null;
}

/**
 * Replays the session's tool calls (their inputs, in order) and `wait` actions against the task's
 * back office: the results the client reported are not trusted, the back office decides.
 */
export function replaySession(task: SupportTask, events: readonly SessionEventBody[]): Replay {
  const world = new SupportWorld(task);
  let errors = 0;
  let firstErrorStep: number | null = null;
  let lastStep: number | null = null;
  for (const e of events) {
    if (e.type === 'action' && e.name === 'wait') world.wait(Number(e.params?.ms));
    if (e.type !== 'tool_call') continue;
    lastStep = e.step ?? lastStep;
    if (!world.call(e.name, e.input).ok) {
      errors++;
      firstErrorStep ??= e.step ?? null;
    }
  }
  return { world, errors, firstErrorStep, lastStep };
}

function lastAssistantMessage(events: readonly SessionEventBody[]): FinalAnswer {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'message' && e.role === 'assistant')
      return { text: e.content, json: null, step: e.step ?? null };
  }
  return NO_ANSWER;
}

/** The support-desk facts of a session, from its events in stored order. */
export function supportFacts(events: readonly SessionEventBody[]): EnvironmentFacts {
  const finalAnswer = lastAssistantMessage(events);
  const task = sessionTask(events);
  if (!task) {
    const why =
      'the session names no known support-desk ticket (no support_desk.task_id observation)';
    return {
      values: {},
      pointers: {},
      absent: Object.fromEntries(Object.keys(SUPPORT_FACT_NAMES).map((k) => [k, why])),
      finalAnswer,
    };
  }
  const { world, errors, firstErrorStep, lastStep } = replaySession(task, events);
  const resolved = world.resolved();
  const pointers: Record<string, number> = {};
  const resolvedStep = resolved ? lastStep : (firstErrorStep ?? lastStep);
  if (resolvedStep !== null) pointers['support.resolved'] = resolvedStep;
  if (firstErrorStep !== null) pointers['support.tool_errors'] = firstErrorStep;
  return {
    values: {
      'support.resolved': resolved,
      'support.notified': world.notifiedAt !== null,
      'support.closed': world.closedAt !== null,
      'support.notified_before_close':
        world.notifiedAt !== null && (world.closedAt === null || world.notifiedAt < world.closedAt),
      'support.tool_errors': errors,
    },
    pointers,
    absent: {},
    finalAnswer,
  };
}
