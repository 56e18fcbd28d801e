import { z } from 'zod';
import { defineEvent, idSchema } from '../envelope.schema';

/** Model settings of a run (the agent's, or overridden per run or per role). */
export const runModelSettingsSchema = z.object({
  provider: z.enum(['builtin', 'anthropic']),
  model: z.string().min(1).max(128).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
});

/** Which environment a managed session runs and on what task (environment-specific fields). */
export const runSpecSchema = z.object({
  /**
   * A name registered in `@reverie/environments` (e.g. `lunar-lander`, `ci-log-triage`). Contracts
   * cannot import the registry (a domain lib), so the shape is checked here and the name at the
   * edges: the gateway refuses an unknown one with the known names, and an orchestrator ends a
   * session whose environment it has no runner for, with the reason.
   */
  environment: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be an environment name such as "lunar-lander"'),
  /** The environment's own fields, checked against its task schema by the gateway. */
  task: z.record(z.string(), z.unknown()),
  model: runModelSettingsSchema.optional(),
  /** Per-role model settings for multi-agent teams. */
  team: z.record(z.string(), runModelSettingsSchema).optional(),
});

/** Asks an orchestrator replica to run a managed session that the gateway has created. */
export const runRequestedEvent = defineEvent(
  'run.requested',
  z.object({
    run: runSpecSchema,
    batchId: idSchema.optional(),
    /** The agent's model settings, resolved by the gateway, used where the run says nothing. */
    agentModel: runModelSettingsSchema,
    /**
     * The agent's own settings for some of its roles (its `roles[].model`), used for such a role
     * where the run says nothing (neither `team` nor `model`), before `agentModel`.
     */
    roleModels: z.record(z.string(), runModelSettingsSchema).optional(),
  }),
).required({ sessionId: true });

export const runTopicMessageSchema = z.discriminatedUnion('type', [runRequestedEvent]);

export type RunSpec = z.infer<typeof runSpecSchema>;
export type RunModelSettings = z.infer<typeof runModelSettingsSchema>;
export type RunRequested = z.infer<typeof runRequestedEvent>;
