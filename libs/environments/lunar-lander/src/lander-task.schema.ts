import { z } from 'zod';
import { LanderError } from './errors';
import { familyNames, resolveScenario } from './scenario-families';

/**
 * A lunar-lander task: a bundled family's scenario (`{ family, index }`) or a whole scenario
 * (`{ scenario }`). The gateway resolves it with the simulator's own checks, so a family that does
 * not exist or a scenario that makes no physical sense is refused with the reason at once.
 */
export const landerTaskSchema = z
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
