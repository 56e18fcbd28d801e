import { z } from 'zod';
import { defineEvent, idSchema } from '../envelope.schema';
import { tokenUsageSchema } from '../sessions/session-event-body.schema';

export const OUTCOME_RESULTS = [
  'satisfied',
  'needs_revision',
  'max_iterations_reached',
  'failed',
] as const;
export type OutcomeResult = (typeof OUTCOME_RESULTS)[number];

/** One criterion's verdict: its score, why, and the steps it points at. */
export const criterionGradeSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.string().min(1).max(32),
  weight: z.number().positive(),
  required: z.boolean(),
  /** False when it could not be graded here (a model-judged item offline); never counted as passed. */
  gradable: z.boolean(),
  passed: z.boolean(),
  score: z.number().min(0).max(1),
  explanation: z.string().max(4_000),
  /** The decision steps it points at, where it can tell. */
  steps: z.array(z.number().int().nonnegative()).max(100),
});

/** Something in the session the dreamer should see next to the rubric's verdict. */
export const outcomeSignalSchema = z.object({
  kind: z.enum(['unrecovered_tool_error', 'error', 'user_correction', 'feedback']),
  step: z.number().int().nonnegative().nullable(),
  detail: z.string().max(4_000),
});

/**
 * The grader's verdict on one iteration of one session under one version of the agent's
 * outcome definition. Keyed by session id; the dreamer and the orchestrator's revise loop read it.
 */
export const outcomeEvaluatedEvent = defineEvent(
  'outcome.evaluated',
  z.object({
    outcomeId: idSchema,
    iteration: z.number().int().min(1),
    definitionVersion: z.number().int().min(1),
    maxIterations: z.number().int().min(1).max(20),
    result: z.enum(OUTCOME_RESULTS),
    score: z.number().min(0).max(1),
    criteria: z.array(criterionGradeSchema).max(50),
    failedCriteria: z.array(z.string()).max(50),
    /** What failed and why, in words a person or the agent can act on (the revise loop's input). */
    summary: z.string().max(20_000),
    judgeUsage: tokenUsageSchema,
    signals: z.array(outcomeSignalSchema).max(200),
    /** True when a person asked for this grade again (POST /v1/outcomes/regrade). */
    regrade: z.boolean(),
  }),
).required({ sessionId: true });

/** Asks the grader to grade a session again under the agent's current outcome definition. */
export const regradeRequestedEvent = defineEvent(
  'outcome.regrade_requested',
  z.object({ requestId: idSchema, reason: z.string().max(2_000).optional() }),
).required({ sessionId: true });

export const outcomeTopicMessageSchema = z.discriminatedUnion('type', [outcomeEvaluatedEvent]);
export const outcomeCommandMessageSchema = z.discriminatedUnion('type', [regradeRequestedEvent]);

export type CriterionGrade = z.infer<typeof criterionGradeSchema>;
export type OutcomeSignal = z.infer<typeof outcomeSignalSchema>;
export type OutcomeEvaluated = z.infer<typeof outcomeEvaluatedEvent>;
export type RegradeRequested = z.infer<typeof regradeRequestedEvent>;
