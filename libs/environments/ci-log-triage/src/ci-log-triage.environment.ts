import { idSchema } from '@reverie/contracts';
import { defineEnvironment } from '@reverie/environment-kit';
import { z } from 'zod';
import { CaseCatalogue, isCaseIdShape } from './case-catalogue';
import { SUBMIT_ANSWER, TRIAGE_FACT_NAMES, triageFacts } from './triage.facts';

/**
 * The case ids a task may name, once the service that checks tasks (the gateway) has listed its
 * dataset (`useDatasets`); null before that, when only the shape is checked and an unknown case
 * fails in the orchestrator, which ends the session with the reason.
 */
let catalogue: CaseCatalogue | null = null;

/** A ci-log-triage task: the id of a case of the ci-breakages dataset. */
export const triageTaskSchema = z
  .object({
    caseId: z
      .string({
        error: 'is required: the id of a case in the ci-log-triage dataset, e.g. "assertj_1944"',
      })
      .pipe(idSchema)
      .refine(isCaseIdShape, {
        error: 'must be a case folder name: no leading dot and no ".."',
        abort: true,
      })
      .superRefine((caseId, ctx) => {
        if (catalogue && !catalogue.has(caseId))
          ctx.addIssue({ code: 'custom', message: catalogue.unknown(caseId) });
      }),
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
    useDatasets: (datasetsDir) => {
      catalogue = CaseCatalogue.list(datasetsDir);
    },
  },
  grading: {
    factNames: TRIAGE_FACT_NAMES,
    facts: triageFacts,
    recognises: (e) => (e.type === 'action' || e.type === 'tool_call') && e.name === SUBMIT_ANSWER,
    labelsKey: caseIdOf,
  },
});
