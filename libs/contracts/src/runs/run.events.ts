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
  environment: z.enum(['ci-log-triage', 'lunar-lander']),
  /**
   * For ci-log-triage: `{ caseId }`, a case of the bundled dataset. For lunar-lander:
   * `{ family, index }` (a bundled scenario family) or `{ scenario }` (a whole scenario).
   */
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
  }),
).required({ sessionId: true });

export const runTopicMessageSchema = z.discriminatedUnion('type', [runRequestedEvent]);

export type RunSpec = z.infer<typeof runSpecSchema>;
export type RunModelSettings = z.infer<typeof runModelSettingsSchema>;
export type RunRequested = z.infer<typeof runRequestedEvent>;
