/**
 * The gateway image's migration command: moves data stored by earlier versions (events one
 * document each) into the current layout, then exits (0: done, 1: MongoDB unreachable or a session
 * left in the old collection). What the Helm chart's pre-upgrade Job runs, in the gateway image:
 * `node dist/apps/session-gateway/src/migrate.js`; from a checkout: `npm run migrate:event-pages`.
 * Reads the gateway's own settings (MONGO_URL, MONGO_DB, ...), so it addresses the same database.
 */
import 'reflect-metadata';
import { ConfigError } from '@reverie/service-kit';
import { runMigrationsCommand } from '@reverie/sessions-data-access';
import { loadGatewayConfig } from './config/gateway.config';

async function main(): Promise<number> {
  let mongo: { url: string; db: string };
  try {
    mongo = loadGatewayConfig().mongo;
  } catch (err) {
    process.stderr.write(`migrate: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    return 1;
  }
  return runMigrationsCommand(
    mongo,
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
}

void main().then((code) => process.exit(code));
