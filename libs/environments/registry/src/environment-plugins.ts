import type { EnvironmentDefinition } from '@reverie/environment-kit';
import { ENVIRONMENT_NAMES, ENVIRONMENTS, findEnvironment } from './environments.registry';

/** A service-side part of an environment (a runner, a dreamer), keyed by its name. */
export interface EnvironmentPlugin {
  readonly environment: string;
}

/** A plug-in list that does not fit the registry: the service cannot start. */
export class EnvironmentRegistrationError extends Error {
  override readonly name = 'EnvironmentRegistrationError';
}

/**
 * Indexes a service's plug-ins (its runners, its dreamers) by environment, checked against the
 * registry: each must name a registered environment, at most one per environment, and every
 * environment `required` picks must have one. Throws an EnvironmentRegistrationError naming the
 * fix otherwise, so a service with a half-registered environment fails at start-up.
 */
export function pluginsByEnvironment<P extends EnvironmentPlugin>(
  plugins: readonly P[],
  kind: string,
  required: (environment: EnvironmentDefinition) => boolean = () => false,
): ReadonlyMap<string, P> {
  const map = new Map<string, P>();
  for (const plugin of plugins) {
    if (!findEnvironment(plugin.environment))
      throw new EnvironmentRegistrationError(
        `a ${kind} is registered for environment "${plugin.environment}", which is not in @reverie/environments (known: ${ENVIRONMENT_NAMES.join(', ')}); add its definition to ENVIRONMENTS in libs/environments/registry`,
      );
    if (map.has(plugin.environment))
      throw new EnvironmentRegistrationError(
        `two ${kind}s are registered for environment "${plugin.environment}"; keep one`,
      );
    map.set(plugin.environment, plugin);
  }
  const missing = ENVIRONMENTS.filter((e) => required(e) && !map.has(e.name)).map((e) => e.name);
  if (missing.length)
    throw new EnvironmentRegistrationError(
      `no ${kind} is registered for ${missing.join(', ')}; register one beside the others`,
    );
  return map;
}
