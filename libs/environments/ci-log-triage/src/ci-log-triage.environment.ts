import { idSchema } from '@reverie/contracts';
import { defineEnvironment } from '@reverie/environment-kit';
import { z } from 'zod';
import { SUBMIT_ANSWER, TRIAGE_FACT_NAMES, triageFacts } from './triage.facts';

/**
 * A ci-log-triage task. The gateway checks the shape only (it does not read the dataset): a task
 * that names an unknown case fails in the orchestrator, which ends the session with the reason.
 */
export const triageTaskSchema = z
  .object({
    caseId: z
      .string({
        error: 'is required: the id of a case in the ci-log-triage dataset, e.g. "assertj_1944"',
      })
      .pipe(idSchema),
  })
  .strict();

const caseIdOf = (task: Record<string, unknown>): string | null =>
  typeof task['caseId'] === 'string' ? task['caseId'] : null;

/**
 * ci-log-triage as an environment: one triager answers with the lines of a failed CI build log
 * that explain the failure; graded against the case's labelled lines. Its runner (orchestration)
 * and its dreamer (dreaming) are keyed by `CI_LOG_TRIAGE_ENVIRONMENT.name`.
 */
export const CI_LOG_TRIAGE_ENVIRONMENT = defineEnvironment({
  name: 'ci-log-triage',
  description: 'a failed CI build log, answered with the lines that explain the failure',
  managed: {
    taskSchema: triageTaskSchema,
    roles: ['triager'],
    title: (task) => String(task['caseId']),
  },
  grading: {
    factNames: TRIAGE_FACT_NAMES,
    facts: triageFacts,
    recognises: (e) => (e.type === 'action' || e.type === 'tool_call') && e.name === SUBMIT_ANSWER,
    labelsKey: caseIdOf,
  },
});
