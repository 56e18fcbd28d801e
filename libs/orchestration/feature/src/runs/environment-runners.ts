import { pluginsByEnvironment } from '@reverie/environments';
import { LanderRunner } from '../lander/lander.runner';
import type { OrchestrationOptions } from '../orchestration.options';
import { DatasetCaseSource } from '../triage/triage-cases';
import { TriageRunner } from '../triage/triage.runner';
import type { EnvironmentRunner } from './environment-runner';

/**
 * The runner of every environment the orchestrator runs: one line per environment. Checked against
 * @reverie/environments, so an environment registered as managed without a runner here (or a
 * runner for an unregistered one) stops the orchestrator at start-up with what to add.
 */
export function environmentRunners(options: Pick<OrchestrationOptions, 'datasetsDir'>) {
  const runners: EnvironmentRunner[] = [
    new LanderRunner(),
    new TriageRunner(new DatasetCaseSource(options.datasetsDir)),
  ];
  pluginsByEnvironment(runners, 'runner', (e) => e.managed !== null);
  return runners;
}
