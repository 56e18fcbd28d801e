import { idSchema } from '@reverie/contracts';
import type { DreamModelSettings, DreamSessionsInput } from '@reverie/dreaming-data-access';
import { DREAM_STATUSES } from '@reverie/dreaming-domain';
import { z } from 'zod';

/** Most sessions one dream may review, and how many "since the last dream" reviews by default. */
export const MAX_DREAM_SESSIONS = 1_000;
export const DEFAULT_DREAM_MAX_SESSIONS = 200;
export const MAX_DREAM_INSTRUCTIONS = 4_096;

/** The sessions a dream reviews, named one by one. */
const sessionsInputSchema = z.strictObject({
  type: z.literal('sessions'),
  session_ids: z.array(idSchema).min(1).max(MAX_DREAM_SESSIONS),
});

/** The dream's own model (its reflector), separate from the agent's. */
const dreamModelSchema = z.discriminatedUnion(
  'provider',
  [
    z.strictObject({ provider: z.literal('builtin') }),
    z.strictObject({
      provider: z.literal('anthropic'),
      /** The dreamer's default Claude model when absent. */
      model: z.string().min(1).max(128).optional(),
      max_tokens: z.number().int().min(1).max(200_000).optional(),
    }),
  ],
  { error: 'provider must be "builtin" or "anthropic"' },
);

/**
 * POST /v1/dreams. Either `inputs` (named sessions) or nothing, in which case the dream reviews
 * the agent's sessions that ended since its last completed dream, at most `max_sessions`.
 */
export const createDreamSchema = z
  .strictObject({
    agent_id: idSchema,
    inputs: z
      .array(sessionsInputSchema)
      .min(1, 'must hold one input')
      .max(1, 'must hold one input; put every session id in its session_ids')
      .optional(),
    max_sessions: z.number().int().min(1).max(MAX_DREAM_SESSIONS).optional(),
    instructions: z.string().max(MAX_DREAM_INSTRUCTIONS).optional(),
    model: dreamModelSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.inputs !== undefined && body.max_sessions !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['max_sessions'],
        message:
          'goes only without inputs: it bounds the sessions since the last dream; named sessions are all reviewed',
      });
  });

export type CreateDreamRequest = z.infer<typeof createDreamSchema>;

const booleanParam = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');
const dateParam = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' })
  .transform((v) => new Date(v));

/** GET /v1/dreams. */
export const listDreamsQuerySchema = z
  .strictObject({
    agent_id: idSchema.optional(),
    status: z
      .enum(DREAM_STATUSES, { error: `must be one of ${DREAM_STATUSES.join(', ')}` })
      .optional(),
    created_after: dateParam.optional(),
    created_before: dateParam.optional(),
    include_archived: booleanParam.default(false),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Cursor: the last dream id of the previous page. */
    after_id: idSchema.optional(),
  })
  .refine((q) => !q.created_after || !q.created_before || q.created_after < q.created_before, {
    message:
      'must be later than created_after (the range is created_after, inclusive, to created_before, exclusive)',
    path: ['created_before'],
  });

/** GET /v1/dreams/:id/report: JSON unless `format=markdown` (or `Accept: text/markdown`). */
export const dreamReportQuerySchema = z.strictObject({
  format: z.enum(['json', 'markdown'], { error: 'must be json or markdown' }).optional(),
});

/** What a create request asks for, as the dream record stores it. */
export function toDreamSettings(
  req: CreateDreamRequest,
  /** The agent's `dreaming.model` and `dreaming.instructions`: what the request leaves out. */
  defaults: { model?: DreamModelSettings; instructions?: string } = {},
): {
  input: DreamSessionsInput;
  model: DreamModelSettings;
  instructions: string;
} {
  const named = req.inputs?.[0];
  const input: DreamSessionsInput = named
    ? { type: 'sessions', sessionIds: [...new Set(named.session_ids)] }
    : { type: 'since_last_dream', limit: req.max_sessions ?? DEFAULT_DREAM_MAX_SESSIONS };
  const m = req.model;
  const model: DreamModelSettings = !m
    ? (defaults.model ?? { provider: 'builtin' })
    : m.provider === 'anthropic'
      ? {
          provider: 'anthropic',
          ...(m.model !== undefined && { model: m.model }),
          ...(m.max_tokens !== undefined && { maxTokens: m.max_tokens }),
        }
      : { provider: 'builtin' };
  return { input, model, instructions: req.instructions ?? defaults.instructions ?? '' };
}
