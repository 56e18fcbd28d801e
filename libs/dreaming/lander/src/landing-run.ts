import { resultRun, type TaskRun } from '@reverie/dreaming-domain';
import type { LandingResult } from '@reverie/lunar-lander';

/**
 * A sandbox flight as a dream grades it: the landing result, recorded at the flight's last step
 * as a live session records it, so `step_limit` and `session.steps` criteria grade it too.
 */
export function landingRun(task: string, family: string, result: LandingResult): TaskRun {
  return resultRun(task, family, result as unknown as Record<string, unknown>, {
    step: result.steps,
  });
}
