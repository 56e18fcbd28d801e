import { join } from 'node:path';

/** Where the CLI finds the gateway, its key and the bundled datasets (flags override these). */
export function cliDefaults(env: Record<string, string | undefined> = process.env) {
  return {
    url: env.REVERIE_URL ?? 'http://localhost:3000',
    apiKey: env.REVERIE_API_KEY,
    datasetsDir: env.DATASETS_DIR ?? join(__dirname, '../../../../../shared/datasets'),
    isTty: Boolean(process.stdout.isTTY),
  };
}
