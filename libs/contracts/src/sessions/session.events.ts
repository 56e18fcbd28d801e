import { z } from 'zod';
import { defineEvent, envelopeBaseSchema, idSchema } from '../envelope.schema';
import { sessionEventBodySchema } from './session-event-body.schema';

export const SESSION_END_STATUSES = ['completed', 'failed', 'canceled'] as const;
export type SessionEndStatus = (typeof SESSION_END_STATUSES)[number];

const playbookRefSchema = z.object({
  playbookId: idSchema,
  version: z.number().int().nonnegative(),
});

export const sessionStartedEvent = defineEvent(
  'session.started',
  z.object({
    /** `external`: the client's own agent posts events; `managed`: an orchestrator runs it. */
    source: z.enum(['external', 'managed']),
    title: z.string().max(500).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    /** The playbook version the session runs with (null: none yet). */
    playbook: playbookRefSchema.nullable().optional(),
    /**
     * For a multi-agent team: the playbook version each role runs with, by role name (null: that
     * role has none yet). `playbook` is then the coordinator's.
     */
    rolePlaybooks: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/), playbookRefSchema.nullable())
      .optional(),
    /** The batch a managed session belongs to. */
    batchId: idSchema.optional(),
    /** The canary trial the session runs in, and its arm (absent: none). */
    trial: z.object({ trialId: idSchema, arm: z.enum(['candidate', 'control']) }).optional(),
  }),
).required({ sessionId: true });

export const sessionEventAppendedEvent = defineEvent(
  'session.event_appended',
  z.object({ event: sessionEventBodySchema, receivedAt: z.iso.datetime({ offset: true }) }),
).required({ sessionId: true });

/** Most events one `session.events_appended` message may carry. */
export const MAX_EVENTS_PER_MESSAGE = 1_000;

/**
 * Several events appended to one session, in order, in one message: what the gateway publishes
 * for a request and the orchestrator for a step of a managed session (one Kafka record per
 * request or step, or per part of one too large for a record, rather than one per event). Each entry is stored exactly as a `session.event_appended` with the same
 * `id`, `event` and `receivedAt` would be: numbered in order after what the session has, and
 * recognised by its `id` when it is sent again (in this form or the other). The envelope's `id`
 * names the message only; nothing de-duplicates on it.
 */
export const sessionEventsAppendedEvent = defineEvent(
  'session.events_appended',
  z.object({
    receivedAt: z.iso.datetime({ offset: true }),
    events: z
      .array(z.object({ id: envelopeBaseSchema.shape.id, event: sessionEventBodySchema }))
      .min(1)
      .max(MAX_EVENTS_PER_MESSAGE),
  }),
).required({ sessionId: true });

export const sessionEndedEvent = defineEvent(
  'session.ended',
  z.object({
    status: z.enum(SESSION_END_STATUSES),
    reason: z.string().max(2_000).optional(),
    /** Which attempt ended (a managed session the grader sent back runs again); 1 if absent. */
    iteration: z.number().int().min(1).max(20).optional(),
  }),
).required({ sessionId: true });

/**
 * A managed session runs again because the grader asked for a revision: the session is running
 * once more, and what follows (up to the next `session.ended`) is attempt `iteration`.
 */
export const sessionRevisionStartedEvent = defineEvent(
  'session.revision_started',
  z.object({
    iteration: z.number().int().min(2).max(20),
    /** The grader's outcome this attempt answers. */
    outcomeId: idSchema,
  }),
).required({ sessionId: true });

export const FEEDBACK_RATINGS = ['positive', 'negative'] as const;

export const feedbackSubmittedEvent = defineEvent(
  'session.feedback_submitted',
  z.object({
    feedbackId: idSchema,
    rating: z.enum(FEEDBACK_RATINGS),
    comment: z.string().max(10_000).optional(),
    /** The event the feedback is about: its client event id. */
    eventId: idSchema.optional(),
  }),
).required({ sessionId: true });

/** Everything that may appear on the session events topic. */
export const sessionTopicMessageSchema = z.discriminatedUnion('type', [
  sessionStartedEvent,
  sessionEventAppendedEvent,
  sessionEventsAppendedEvent,
  sessionEndedEvent,
  sessionRevisionStartedEvent,
  feedbackSubmittedEvent,
]);

export type SessionStarted = z.infer<typeof sessionStartedEvent>;
export type SessionEventAppended = z.infer<typeof sessionEventAppendedEvent>;
export type SessionEventsAppended = z.infer<typeof sessionEventsAppendedEvent>;
export type SessionEnded = z.infer<typeof sessionEndedEvent>;
export type SessionRevisionStarted = z.infer<typeof sessionRevisionStartedEvent>;
export type FeedbackSubmitted = z.infer<typeof feedbackSubmittedEvent>;
export type SessionTopicMessage = z.infer<typeof sessionTopicMessageSchema>;
