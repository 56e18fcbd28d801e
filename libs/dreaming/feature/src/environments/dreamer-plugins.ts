import { CI_LOG_TRIAGE_ENVIRONMENT } from '@reverie/ci-log-triage';
import { EXTERNAL_ENVIRONMENT, pluginsByEnvironment } from '@reverie/environments';
import { LUNAR_LANDER_ENVIRONMENT } from '@reverie/lunar-lander';
import type { DreamerOptions } from '../dreamer.options';
import type { EnvironmentDreamer } from './environment-dreamer';
import { ExternalDreamer } from './external.dreamer';
import { DEFAULT_LANDER_DREAM, LanderDreamer } from './lander.dreamer';
import { TriageDreamer } from './triage.dreamer';

/** How the pipeline gets an environment's dreamer for one dream. */
export interface DreamerPlugin {
  /** The environment's name in @reverie/environments. */
  readonly environment: string;
  /** The dreamer for one dream (a fresh one, or a shared one that caches its dataset). */
  dreamer(): EnvironmentDreamer;
}

/**
 * The dreamer of every environment dreams can review: one line per environment. An environment
 * without one is collected and reported but changes no playbook. Checked
 * against @reverie/environments when the pipeline is built.
 */
export function dreamerPlugins(
  options: Pick<DreamerOptions, 'datasetsDir' | 'flightWorkers'>,
): DreamerPlugin[] {
  const triage = new TriageDreamer(options.datasetsDir);
  const lander = { ...DEFAULT_LANDER_DREAM, poolSize: options.flightWorkers };
  return [
    { environment: LUNAR_LANDER_ENVIRONMENT.name, dreamer: () => new LanderDreamer(lander) },
    { environment: CI_LOG_TRIAGE_ENVIRONMENT.name, dreamer: () => triage },
    { environment: EXTERNAL_ENVIRONMENT.name, dreamer: () => new ExternalDreamer() },
  ];
}

/** The dreamers by environment name, checked against the registry (throws naming the fix). */
export function dreamersByEnvironment(
  options: Pick<DreamerOptions, 'datasetsDir' | 'flightWorkers'>,
): ReadonlyMap<string, DreamerPlugin> {
  return pluginsByEnvironment(dreamerPlugins(options), 'dreamer');
}
