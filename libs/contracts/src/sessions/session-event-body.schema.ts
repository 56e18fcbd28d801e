import { z } from 'zod';
import { idSchema } from '../envelope.schema';

/** Largest text a single message event may carry (characters). */
export const MAX_EVENT_TEXT = 100_000;

const jsonObject = z.record(z.string(), z.unknown());

const common = {
  /** The client's own id for this event; sending the same id again is a no-op. */
  clientEventId: idSchema,
  /** Which agent or role produced the event (for example `navigator`). */
  actor: z.string().min(1).max(64).optional(),
  /** The decision step this event belongs to, when the agent counts steps. */
  step: z.number().int().nonnegative().optional(),
  /** For a managed session the grader sent back for revision: which attempt (1, 2, ...). */
  iteration: z.number().int().min(1).max(20).optional(),
  /** When the event happened on the client; the server records its own receive time too. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
};

export const messageEventSchema = z.object({
  ...common,
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'agent']),
  content: z.string().max(MAX_EVENT_TEXT),
  /** For agent-to-agent messages: the role the message is addressed to. */
  to: z.string().min(1).max(64).optional(),
});

export const toolCallEventSchema = z.object({
  ...common,
  type: z.literal('tool_call'),
  toolCallId: idSchema,
  name: z.string().min(1).max(128),
  input: jsonObject,
});

export const toolResultEventSchema = z.object({
  ...common,
  type: z.literal('tool_result'),
  toolCallId: idSchema,
  output: z.unknown(),
  isError: z.boolean().optional(),
});

export const observationEventSchema = z.object({
  ...common,
  type: z.literal('observation'),
  data: jsonObject,
});

export const actionEventSchema = z.object({
  ...common,
  type: z.literal('action'),
  name: z.string().min(1).max(128),
  params: jsonObject.optional(),
});

export const errorEventSchema = z.object({
  ...common,
  type: z.literal('error'),
  message: z.string().min(1).max(MAX_EVENT_TEXT),
  code: z.string().max(128).optional(),
});

export const tokenUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative().default(0),
  cacheWriteTokens: z.number().int().nonnegative().default(0),
});

/** One call to a model and what it cost: how a session's token spend is known. */
export const modelCallEventSchema = z.object({
  ...common,
  type: z.literal('model_call'),
  provider: z.string().min(1).max(64),
  model: z.string().min(1).max(128),
  usage: tokenUsageSchema,
  stopReason: z.string().max(64).optional(),
});

/** One step of a session as a client reports it. */
export const sessionEventBodySchema = z.discriminatedUnion('type', [
  messageEventSchema,
  toolCallEventSchema,
  toolResultEventSchema,
  observationEventSchema,
  actionEventSchema,
  errorEventSchema,
  modelCallEventSchema,
]);

export type SessionEventBody = z.infer<typeof sessionEventBodySchema>;
export type SessionEventType = SessionEventBody['type'];
export const SESSION_EVENT_TYPES = sessionEventBodySchema.options.map(
  (o) => o.shape.type.value,
) as SessionEventType[];
