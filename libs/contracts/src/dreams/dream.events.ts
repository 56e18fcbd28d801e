import { z } from 'zod';
import { defineEvent, idSchema } from '../envelope.schema';

export const DREAM_END_STATUSES = ['completed', 'failed', 'canceled'] as const;

/**
 * Asks the dreamer to run a dream the gateway has stored as `pending` (keyed by agent, so one
 * agent's requests stay in order). The dream document is the source of truth; this only wakes a
 * dreamer up, and a dreamer's sweep finds pending dreams whose request was lost.
 */
export const dreamRequestedEvent = defineEvent('dream.requested', z.object({ dreamId: idSchema }));

/** A dream ended: what it changed, for webhooks and other services. Keyed by agent. */
export const dreamEndedEvent = defineEvent(
  'dream.ended',
  z.object({
    dreamId: idSchema,
    status: z.enum(DREAM_END_STATUSES),
    environment: z.string().max(64).nullable(),
    sessionsReviewed: z.number().int().nonnegative(),
    /**
     * Playbook versions the dream made: active (applied) or proposed (waiting for a person, or,
     * with `trialId`, on a canary trial that decides it: announced by `playbook.trial_started`).
     */
    playbooks: z
      .array(
        z.object({
          role: z.string().max(64).nullable(),
          version: z.number().int().min(1),
          status: z.enum(['active', 'proposed']),
          trialId: idSchema.optional(),
        }),
      )
      .max(32),
    error: z.object({ type: z.string().max(64), message: z.string().max(4_000) }).nullable(),
  }),
);

const trialArmCountsSchema = z.object({
  sessions: z.number().int().nonnegative(),
  graded: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
});

/** The playbooks a canary trial compares: per role, the candidate version and the control (0: none). */
const trialPlaybooksSchema = z
  .array(
    z.object({
      role: z.string().max(64).nullable(),
      playbookId: idSchema,
      candidate: z.number().int().min(1),
      control: z.number().int().nonnegative(),
    }),
  )
  .max(32);

/**
 * A dream's candidate version went on a canary trial: it serves `share` of the agent's new
 * sessions until the grader's outcomes decide it. Keyed by agent.
 */
export const playbookTrialStartedEvent = defineEvent(
  'playbook.trial_started',
  z.object({
    trialId: idSchema,
    dreamId: idSchema,
    share: z.number().gt(0).lt(1),
    playbooks: trialPlaybooksSchema,
  }),
);

/** A canary trial ended: how, why, and what each arm did. Keyed by agent. */
export const playbookTrialEndedEvent = defineEvent(
  'playbook.trial_ended',
  z.object({
    trialId: idSchema,
    dreamId: idSchema,
    status: z.enum(['promoted', 'rolled_back', 'awaiting_review', 'stopped']),
    reason: z.string().max(4_000),
    playbooks: trialPlaybooksSchema,
    arms: z.object({ candidate: trialArmCountsSchema, control: trialArmCountsSchema }),
  }),
);

export const dreamCommandMessageSchema = z.discriminatedUnion('type', [dreamRequestedEvent]);
export const dreamTopicMessageSchema = z.discriminatedUnion('type', [
  dreamEndedEvent,
  playbookTrialStartedEvent,
  playbookTrialEndedEvent,
]);

export type DreamRequested = z.infer<typeof dreamRequestedEvent>;
export type DreamEnded = z.infer<typeof dreamEndedEvent>;
export type PlaybookTrialStarted = z.infer<typeof playbookTrialStartedEvent>;
export type PlaybookTrialEnded = z.infer<typeof playbookTrialEndedEvent>;
