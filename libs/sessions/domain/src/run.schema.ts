import { idSchema, runSpecSchema, type RunSpec } from '@reverie/contracts';
import {
  findManagedEnvironment,
  MANAGED_ENVIRONMENTS,
  type ManagedEnvironmentDefinition,
} from '@reverie/environments';
import { z } from 'zod';

/** The name of an environment a managed session can run (see `runEnvironmentSchema`). */
export type RunEnvironment = string;

const managedNames = MANAGED_ENVIRONMENTS.map((e) => e.name);

/**
 * `run.environment`: a registered environment that the orchestrator runs. The contract keeps it a
 * string (contracts cannot see the registry), so this is where an unknown name is refused.
 */
export const runEnvironmentSchema = z.enum(managedNames as [string, ...string[]], {
  error: (iss) =>
    iss.input === undefined
      ? `is required: the environment to run, one of ${managedNames.join(', ')}`
      : `${JSON.stringify(iss.input)} is not an environment a managed session can run; known: ${managedNames.join(', ')} (a session your own agent runs is opened without a run)`,
});

/** The managed environment of a run that passed `runEnvironmentSchema`. */
function environmentOf(name: string): ManagedEnvironmentDefinition {
  const found = findManagedEnvironment(name);
  if (!found) throw new Error(`environment "${name}" is not a managed environment`);
  return found;
}

/** Checks `task` against its environment's task shape, reporting issues under `path`. */
function checkTask(
  environment: RunEnvironment,
  task: unknown,
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): void {
  const result = environmentOf(environment).managed.taskSchema.safeParse(task);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message });
  }
}

function checkTeam(run: Pick<RunSpec, 'environment' | 'team'>, ctx: z.RefinementCtx): void {
  const roles = environmentOf(run.environment).managed.roles;
  for (const role of Object.keys(run.team ?? {})) {
    if (!roles.includes(role))
      ctx.addIssue({
        code: 'custom',
        path: ['team', role],
        message: `${run.environment} has no role "${role}"; its roles are ${roles.join(', ')}`,
      });
  }
}

/** The `run` block of `POST /v1/sessions`: a run spec whose task and team fit its environment. */
export const runRequestSchema = runSpecSchema
  .extend({ environment: runEnvironmentSchema })
  .strict()
  .superRefine((run, ctx) => {
    checkTeam(run, ctx);
    checkTask(run.environment, run.task, ctx, ['task']);
  });

/** Most tasks one batch may hold. */
export const MAX_BATCH_TASKS = 1_000;

/** The run settings a batch shares: everything of a run spec but the task. */
export const batchRunSchema = runSpecSchema
  .omit({ task: true })
  .extend({ environment: runEnvironmentSchema })
  .strict()
  .superRefine((run, ctx) => checkTeam(run, ctx));

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
  return environmentOf(run.environment).managed.title(run.task);
}

export type RunRequestInput = z.infer<typeof runRequestSchema>;
export type BatchRun = z.infer<typeof batchRunSchema>;
export type CreateBatchInput = z.infer<typeof createBatchSchema>;
