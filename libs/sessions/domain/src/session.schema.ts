import {
  actionEventSchema,
  errorEventSchema,
  FEEDBACK_RATINGS,
  idSchema,
  messageEventSchema,
  modelCallEventSchema,
  observationEventSchema,
  SESSION_END_STATUSES,
  tokenUsageSchema,
  toolCallEventSchema,
  toolResultEventSchema,
} from '@reverie/contracts';
import { z } from 'zod';
import { runRequestSchema } from './run.schema';

export const SESSION_STATUSES = ['running', ...SESSION_END_STATUSES] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const createSessionSchema = z
  .object({
    agentId: idSchema,
    title: z.string().max(500).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((m) => JSON.stringify(m).length <= 16_384, 'must be at most 16 KiB as JSON')
      .optional(),
    /** Makes a managed session: an orchestrator runs this task (no `run`: the client does). */
    run: runRequestSchema.optional(),
  })
  .strict();

export const appendEventsSchema = z
  .object({ events: z.array(z.unknown()).min(1, 'must hold at least one event') })
  .strict();

/**
 * One event as `POST /v1/sessions/:id/events` takes it: the contract's event body, refusing a key
 * it does not know, like every other request body. The Kafka contract stays open on purpose (its
 * consumers ignore unknown fields, so a producer may add an optional field before every consumer
 * reads it), but over HTTP the gateway is the one that would drop the key, without a word, and
 * the client would read back less than it sent.
 */
export const apiEventBodySchema = z.discriminatedUnion('type', [
  messageEventSchema.strict(),
  toolCallEventSchema.strict(),
  toolResultEventSchema.strict(),
  observationEventSchema.strict(),
  actionEventSchema.strict(),
  errorEventSchema.strict(),
  modelCallEventSchema.extend({ usage: tokenUsageSchema.strict() }).strict(),
]);

export const endSessionSchema = z
  .object({ status: z.enum(SESSION_END_STATUSES), reason: z.string().max(2_000).optional() })
  .strict();

export const feedbackSchema = z
  .object({
    rating: z.enum(FEEDBACK_RATINGS),
    comment: z.string().max(10_000).optional(),
    eventId: idSchema.optional(),
  })
  .strict();

const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

/** An instant in a query string; from 1970 on (a session id records its creation in ms since). */
const instantParam = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' })
  .transform((v) => new Date(v))
  .refine((d) => d.getTime() >= 0, 'must be 1970-01-01T00:00:00Z or later');

export const listSessionsQuerySchema = z
  .object({
    agentId: idSchema.optional(),
    status: z.enum(SESSION_STATUSES).optional(),
    batchId: idSchema.optional(),
    /** Sessions started at or after this instant. */
    from: instantParam.optional(),
    /** Sessions started before this instant. */
    to: instantParam.optional(),
    limit: limit(100, 20),
    /** Cursor: the last id of the previous page. */
    after_id: idSchema.optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, {
    message: 'must be later than from (the range is from, inclusive, to to, exclusive)',
    path: ['to'],
  });

export const listEventsQuerySchema = z
  .object({
    /** Cursor: events with a larger seq than this. */
    after_seq: z.coerce.number().int().min(0).default(0),
    limit: limit(1_000, 100),
  })
  .strict();

/**
 * Most feedback one session keeps: a further POST is a 409. The same as the largest page of
 * `GET /v1/sessions/:id/feedback`, and its default, so one unpaged read still returns it all.
 */
export const MAX_FEEDBACK_PER_SESSION = 1_000;

/** GET /v1/sessions/:id/feedback: oldest first, paged by the last id seen. */
export const listFeedbackQuerySchema = z
  .object({
    limit: limit(MAX_FEEDBACK_PER_SESSION, MAX_FEEDBACK_PER_SESSION),
    /** Cursor: the last feedback id of the previous page. */
    after_id: idSchema.optional(),
  })
  .strict();

export const listBatchesQuerySchema = z
  .object({
    agentId: idSchema.optional(),
    limit: limit(100, 20),
    /** Cursor: the last id of the previous page. */
    after_id: idSchema.optional(),
  })
  .strict();

/** The sessions shown with a batch, in task order, paged. */
export const batchSessionsQuerySchema = z
  .object({
    limit: limit(1_000, 100),
    /** Cursor: the last session id of the previous page. */
    after_id: idSchema.optional(),
  })
  .strict();

/** `POST /v1/batches/:id/cancel`: why (the reason its canceled sessions end with). */
export const cancelBatchSchema = z.object({ reason: z.string().max(2_000).optional() }).strict();

export type CreateSessionInput = z.infer<typeof createSessionSchema>;
export type EndSessionInput = z.infer<typeof endSessionSchema>;
export type FeedbackInput = z.infer<typeof feedbackSchema>;
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;
export type ListFeedbackQuery = z.infer<typeof listFeedbackQuerySchema>;
export type ListBatchesQuery = z.infer<typeof listBatchesQuerySchema>;
export type BatchSessionsQuery = z.infer<typeof batchSessionsQuerySchema>;
