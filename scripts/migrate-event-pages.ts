/**
 * Moves events stored one document each (the layout before pages) into session pages, without
 * starting a gateway (which does it at start-up only with MIGRATIONS=run, its default; a cluster
 * runs the same as the Helm chart's Job, `node dist/apps/session-gateway/src/migrate.js` in the
 * gateway image). Idempotent: run it again after a stop and it finishes the job. Usage:
 * `MONGO_URL=mongodb://127.0.0.1:27017 npm run migrate:event-pages` (MONGO_DB names the database,
 * default reverie, as for `npm run api-key`).
 */
import { runMigrationsCommand } from '@reverie/sessions-data-access';

runMigrationsCommand(
  {
    url: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
    db: process.env.MONGO_DB ?? 'reverie',
  },
  (line) => process.stdout.write(`${line}\n`),
  (line) => process.stderr.write(`${line}\n`),
).then((code) => process.exit(code));
