/**
 * Moves events stored one document each (the layout before pages) into session pages, without
 * starting a gateway (which also does it at start-up). Idempotent: run it again after a stop and
 * it finishes the job. Usage: `MONGO_URL=mongodb://127.0.0.1:27017/reverie npm run migrate:event-pages`
 * (MONGO_DB names the database, default reverie, as for `npm run api-key`).
 */
import mongoose from 'mongoose';
import { migrateEventsToPages } from '@reverie/sessions-data-access';

async function main(): Promise<number> {
  const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
  const connection = mongoose.createConnection(url, {
    dbName: process.env.MONGO_DB ?? 'reverie',
    serverSelectionTimeoutMS: 5_000,
  });
  try {
    await connection.asPromise();
  } catch (err) {
    process.stderr.write(
      `migrate: MongoDB at ${url} is not reachable: ${(err as Error).message}\n`,
    );
    return 1;
  }
  try {
    const report = await migrateEventsToPages(connection, (line) =>
      process.stdout.write(`${line}\n`),
    );
    if (report.sessions === 0)
      process.stdout.write('migrate: no events in the old layout; nothing to do\n');
    if (report.refused.length) {
      process.stderr.write(
        `migrate: ${report.refused.length} sessions left in session_events: their pages do not continue them\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    await connection.close();
  }
}

main().then((code) => process.exit(code));
