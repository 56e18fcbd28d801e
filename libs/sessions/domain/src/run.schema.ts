import { idSchema, runSpecSchema, type RunSpec } from '@reverie/contracts';
import { familyNames, LanderError, LUNAR_TEAM, resolveScenario } from '@reverie/lunar-lander';
import { z } from 'zod';

/**
 * A lunar-lander task: a bundled family's scenario (`{ family, index }`) or a whole scenario
 * (`{ scenario }`). The gateway resolves it with the simulator's own checks, so a family that does
 * not exist or a scenario that makes no physical sense is refused with the reason at once.
 */
const landerTaskSchema = z
  .object({
    family: z.string().max(64).optional(),
    index: z.number().int().nonnegative().optional(),
    scenario: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((task, ctx) => {
    try {
      resolveScenario(task);
    } catch (err) {
      if (!(err instanceof LanderError)) throw err;
      const problems = err.problems.length ? err.problems : [{ path: '', message: err.message }];
      for (const p of problems)
        ctx.addIssue({
          code: 'custom',
          path:
            task.scenario !== undefined ? ['scenario', ...(p.path ? p.path.split('.') : [])] : [],
          message: p.message,
        });
    }
  })
  .meta({
    description: `{ family, index } of a bundled family (${familyNames().join(', ')}) or { scenario }`,
  });

/**
 * What a task looks like in each environment a managed session can run. For ci-log-triage the
 * gateway checks the shape only (it does not read the dataset): a task that names an unknown case
 * fails in the orchestrator, which ends the session with the reason. Lunar scenarios are pure
 * data, so those are checked in full here.
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
  'lunar-lander': landerTaskSchema,
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

/** The roles that play each environment, which `run.team` may set models for. */
const ENVIRONMENT_ROLES: Record<RunEnvironment, readonly string[]> = {
  'ci-log-triage': ['triager'],
  'lunar-lander': LUNAR_TEAM.roles,
};

function checkTeam(run: Pick<RunSpec, 'environment' | 'team'>, ctx: z.RefinementCtx): void {
  const roles = ENVIRONMENT_ROLES[run.environment];
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
export const runRequestSchema = runSpecSchema.strict().superRefine((run, ctx) => {
  checkTeam(run, ctx);
  checkTask(run.environment, run.task, ctx, ['task']);
});

/** Most tasks one batch may hold. */
export const MAX_BATCH_TASKS = 1_000;

/** The run settings a batch shares: everything of a run spec but the task. */
export const batchRunSchema = runSpecSchema
  .omit({ task: true })
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
  switch (run.environment) {
    case 'ci-log-triage':
      return String(run.task['caseId']);
    case 'lunar-lander':
      return run.task['scenario']
        ? `lunar landing ${String((run.task['scenario'] as { id?: unknown }).id ?? 'scenario')}`
        : `lunar landing ${String(run.task['family'])} #${String(run.task['index'])}`;
  }
}

export type RunRequestInput = z.infer<typeof runRequestSchema>;
export type BatchRun = z.infer<typeof batchRunSchema>;
export type CreateBatchInput = z.infer<typeof createBatchSchema>;
