import { bundledDatasetsDir } from '@reverie/service-kit';

/** Where the CLI finds the gateway, its key and the bundled datasets (flags override these). */
export function cliDefaults(env: Record<string, string | undefined> = process.env) {
  return {
    url: env.REVERIE_URL ?? 'http://localhost:3000',
    apiKey: env.REVERIE_API_KEY,
    datasetsDir: env.DATASETS_DIR ?? bundledDatasetsDir(),
    isTty: Boolean(process.stdout.isTTY),
  };
}
