import { cronProblem, timeZoneProblem } from '@reverie/dreaming-domain';
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:MM');

/** Whether `zone` is an IANA time zone the scheduler can use. */
export function isTimeZone(zone: string): boolean {
  return timeZoneProblem(zone) === null;
}

// The scheduler's own checks, so a schedule accepted here never fails a tick.
const timeZone = z.string().superRefine((zone, ctx) => {
  const problem = timeZoneProblem(zone);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week), checked field by
 * field: `"99 99 * * *": minute 99 is out of range 0-59`.
 */
export const cronSchema = z.string().superRefine((expression, ctx) => {
  const problem = cronProblem(expression);
  if (problem)
    ctx.addIssue({
      code: 'custom',
      message: problem.startsWith('"') ? problem : `"${expression}": ${problem}`,
    });
});

// Strict: a misspelt key (`modle`) is refused by name instead of dropped, which would leave the
// agent on a default the caller never asked for.
export const modelSettingsSchema = z.strictObject({
  provider: z.enum(['builtin', 'anthropic']).default('builtin'),
  model: z.string().min(1).max(128).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
  temperature: z.number().min(0).max(1).optional(),
});

export const roleSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9_-]{0,63}$/,
      'must be lower-case letters, digits, _ or -, starting with a letter',
    ),
  description: z.string().max(2_000).optional(),
  /**
   * This role's model settings, taken whole (the provider defaults to builtin, not the agent's):
   * a managed run uses them for the role unless the run sets its own (`run.team`, `run.model`).
   */
  model: modelSettingsSchema.optional(),
});

// Strict as well: `{"dreaming": {"enabeld": true}}` dropped would leave dreaming off without a word.
export const dreamingSettingsSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    frequency: z.enum(['hourly', 'daily', 'weekly', 'cron']).default('daily'),
    /** Required when frequency is `cron`. */
    cron: cronSchema.optional(),
    timezone: timeZone.default('UTC'),
    /** Dreams start only inside this window, in `timezone`; it may wrap midnight. */
    window: z.strictObject({ start: hhmm, end: hhmm }).optional(),
    budget: z
      .strictObject({
        tokensPerDream: z.number().int().positive().optional(),
        tokensPerDay: z.number().int().positive().optional(),
      })
      .optional(),
    /** `apply`: a dream's validated changes become the active playbook; `propose`: a person approves. */
    publish: z.enum(['apply', 'propose']).default('propose'),
    /**
     * The dreams' own model (their reflector, separate from the agent's): for scheduled dreams,
     * and for dreams asked for without one. Builtin when absent.
     */
    model: z
      .strictObject({
        provider: z.enum(['builtin', 'anthropic']),
        model: z.string().min(1).max(128).optional(),
        maxTokens: z.number().int().min(1).max(200_000).optional(),
      })
      .optional(),
    /** Instructions for scheduled dreams, and for dreams asked for without any. */
    instructions: z.string().max(4_096).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.frequency === 'cron' && !d.cron)
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: 'is required when frequency is "cron"',
      });
    if (d.frequency !== 'cron' && d.cron)
      ctx.addIssue({
        code: 'custom',
        path: ['cron'],
        message: 'is only allowed when frequency is "cron"',
      });
  });

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.-]*$/;
const NAME_RULE = 'must start with a letter or digit and use letters, digits, space, _ . -';

/** What a stored agent's name may be: names given before the space rules below included. */
const storedAgentName = z.string().min(1).max(100).regex(NAME_PATTERN, NAME_RULE);

/**
 * A new name. Spaces at either end or in runs would make `"alpha "` and `"alpha"` (or `"a  b"`
 * and `"a b"`) two agents that read the same. Checked first, and alone (`abort`), so that is
 * what the message says rather than the general rule.
 */
const agentName = z
  .string()
  .min(1)
  .refine((name) => name.trim() === name, {
    message: 'must not start or end with whitespace',
    abort: true,
  })
  .refine((name) => !name.includes('  '), {
    message: 'must not contain two or more spaces in a row',
    abort: true,
  })
  .max(100)
  .regex(NAME_PATTERN, NAME_RULE);

const agentShape = {
  description: z.string().max(2_000).optional(),
  roles: z.array(roleSchema).max(32).default([]),
  model: modelSettingsSchema.default({ provider: 'builtin' }),
  dreaming: dreamingSettingsSchema.default({
    enabled: false,
    frequency: 'daily',
    timezone: 'UTC',
    publish: 'propose',
  }),
};

function uniqueRoleNames(a: { roles: { name: string }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  a.roles.forEach((r, i) => {
    if (seen.has(r.name))
      ctx.addIssue({
        code: 'custom',
        path: ['roles', i, 'name'],
        message: `duplicates role "${r.name}"`,
      });
    seen.add(r.name);
  });
}

export const createAgentSchema = z
  .strictObject({ name: agentName, ...agentShape })
  .superRefine(uniqueRoleNames);

/**
 * A PATCH's result (stored settings with the patch merged in), checked as a whole. The stored
 * name is taken as it was accepted, so an agent named before the space rules stays patchable; a
 * new name is checked by patchAgentSchema.
 */
export const patchedAgentSchema = z
  .strictObject({ name: storedAgentName, ...agentShape })
  .superRefine(uniqueRoleNames);

/** PATCH body: any top-level field; `dreaming` and `model` merge into what is stored. */
export const patchAgentSchema = z
  .object({
    name: agentName.optional(),
    description: z.string().max(2_000).nullable().optional(),
    roles: z.array(z.unknown()).optional(),
    model: z.record(z.string(), z.unknown()).optional(),
    dreaming: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');

export type CreateAgentInput = z.input<typeof createAgentSchema>;
export type AgentSettings = z.infer<typeof createAgentSchema>;
export type PatchAgentInput = z.infer<typeof patchAgentSchema>;

/** Applies a PATCH to stored settings; the result is validated as a whole again by the caller. */
export function mergeAgentPatch(current: AgentSettings, patch: PatchAgentInput): unknown {
  // What the scheduler records beside the settings (`lastScheduleError`, shown by GET) is read
  // only: a PATCH that sends back the `dreaming` GET returned does not fail on it, nor set it.
  const { lastScheduleError: _readOnly, ...dreaming } = patch.dreaming ?? {};
  return {
    name: patch.name ?? current.name,
    // A cleared description is stored as null: it stays cleared, not an invalid value.
    description:
      patch.description === null
        ? undefined
        : (patch.description ?? current.description ?? undefined),
    roles: patch.roles ?? current.roles,
    model: { ...current.model, ...patch.model },
    dreaming: { ...current.dreaming, ...dreaming },
  };
}
