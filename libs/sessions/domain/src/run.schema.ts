import { idSchema, runSpecSchema, type RunSpec } from '@reverie/contracts';
import { z } from 'zod';

/**
 * What a task looks like in each environment a managed session can run. The gateway checks the
 * shape only (it does not read the environment's data): a task that names an unknown case fails
 * in the orchestrator, which ends the session with the reason.
 */
export const TASK_SCHEMAS = {
  'ci-log-triage': z
    .object({
      caseId: z
        .string({
          error: 'is required: the id of a case in the ci-log-triage dataset, e.g. "assertj_1944"',
        })
        .pipe(idSchema),
    })
    .strict(),
} satisfies Record<RunSpec['environment'], z.ZodType>;

export type RunEnvironment = keyof typeof TASK_SCHEMAS;

/** Checks `task` against its environment's task shape, reporting issues under `path`. */
function checkTask(
  environment: RunEnvironment,
  task: unknown,
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): void {
  const result = TASK_SCHEMAS[environment].safeParse(task);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message });
  }
}

/** The `run` block of `POST /v1/sessions`: a run spec whose task fits its environment. */
export const runRequestSchema = runSpecSchema
  .strict()
  .superRefine((run, ctx) => checkTask(run.environment, run.task, ctx, ['task']));

/** Most tasks one batch may hold. */
export const MAX_BATCH_TASKS = 1_000;

/** The run settings a batch shares: everything of a run spec but the task. */
export const batchRunSchema = runSpecSchema.omit({ task: true }).strict();

/**
 * `POST /v1/batches`. Tasks are checked one by one after the count (see `checkBatchTasks`), so a
 * too-large batch is refused as such before a thousand task errors are listed.
 */
export const createBatchSchema = z
  .object({
    agentId: idSchema,
    title: z.string().max(500).optional(),
    run: batchRunSchema,
    tasks: z.array(z.unknown()).min(1, 'must hold at least one task'),
  })
  .strict();

/** Checks each task of a batch against its environment, with paths such as `tasks[3].caseId`. */
export const batchTasksSchema = (environment: RunEnvironment) =>
  z
    .array(z.unknown())
    .superRefine((tasks, ctx) => {
      tasks.forEach((task, i) => checkTask(environment, task, ctx, [i]));
    })
    // Every task passed its environment's (object) schema above.
    .transform((tasks) => tasks as Record<string, unknown>[]);

/** A short human title for a managed session: what its task is about. */
export function taskTitle(run: Pick<RunSpec, 'environment' | 'task'>): string {
  switch (run.environment) {
    case 'ci-log-triage':
      return String(run.task['caseId']);
  }
}

export type RunRequestInput = z.infer<typeof runRequestSchema>;
export type BatchRun = z.infer<typeof batchRunSchema>;
export type CreateBatchInput = z.infer<typeof createBatchSchema>;
