import { defineEnvironment, isRecord } from '@reverie/environment-kit';
import { LANDER_FACT_NAMES, landerFacts } from './lander.facts';
import { landerTaskSchema } from './lander-task.schema';
import { LUNAR_TEAM } from './team/lunar-team';

/**
 * lunar-lander as an environment: a Commander, a Detector and a Navigator land a craft on a
 * scenario; graded on the landing result and the telemetry. Its runner (orchestration) and its
 * dreamer (dreaming) are keyed by `LUNAR_LANDER_ENVIRONMENT.name`.
 */
export const LUNAR_LANDER_ENVIRONMENT = defineEnvironment({
  name: 'lunar-lander',
  description: 'a seeded lunar descent landed by a Commander, a Detector and a Navigator',
  managed: {
    taskSchema: landerTaskSchema,
    roles: LUNAR_TEAM.roles,
    title: (task) =>
      task['scenario']
        ? `lunar landing ${String((task['scenario'] as { id?: unknown }).id ?? 'scenario')}`
        : `lunar landing ${String(task['family'])} #${String(task['index'])}`,
  },
  grading: {
    factNames: LANDER_FACT_NAMES,
    facts: landerFacts,
    recognises: (e) =>
      e.type === 'observation' && isRecord(e.data.result) && 'touchdown' in e.data.result,
  },
});
