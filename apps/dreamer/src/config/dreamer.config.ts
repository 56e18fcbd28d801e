import { loadServiceConfig, type ServiceConfig } from '@reverie/service-kit';

export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  return loadServiceConfig('dreamer', 3003, env);
}
