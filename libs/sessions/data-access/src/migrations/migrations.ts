import mongoose, { type Connection } from 'mongoose';
import { LEGACY_EVENTS, migrateEventsToPages } from './event-pages.migration';

/**
 * What a gateway does at start with data waiting for a migration (the `MIGRATIONS` setting):
 * - `run`: migrates it before taking traffic (the single-machine stack: `npm start` just works);
 * - `check`: refuses to start while anything is pending, naming the command that migrates it (a
 *   cluster: the Helm chart's migration Job runs it once, before the new gateways start);
 * - `warn`: logs a warning and starts anyway (ingest then numbers a pending session's new events
 *   after what its pages hold, and the migration leaves that session in the old collection).
 */
export const MIGRATIONS_MODES = ['run', 'check', 'warn'] as const;
export type MigrationsMode = (typeof MIGRATIONS_MODES)[number];

export const MIGRATE_COMMAND =
  'npm run migrate:event-pages (in the gateway image: node dist/apps/session-gateway/src/migrate.js; the Helm chart runs it as a pre-upgrade Job)';

/** Events still stored one document each (the layout before pages): what the migration moves. */
export async function pendingLegacyEvents(connection: Connection): Promise<number> {
  // Filtered here: the embedded server (mongo-java-server) ignores listCollections' filter.
  const names = await connection.db!.listCollections({}, { nameOnly: true }).toArray();
  if (!names.some((c) => c.name === LEGACY_EVENTS.collection)) return 0;
  return connection.collection(LEGACY_EVENTS.collection).estimatedDocumentCount();
}

export class PendingMigrationError extends Error {
  constructor(readonly pending: number) {
    super(
      `${pending} events in ${LEGACY_EVENTS.collection} (the one-document-per-event layout) wait for ` +
        `the event-page migration and MIGRATIONS=check: run ${MIGRATE_COMMAND}, or start with ` +
        'MIGRATIONS=run to migrate at start-up',
    );
  }
}

/** Applies `mode` to what is pending; throws PendingMigrationError in `check` mode. */
export async function applyMigrations(
  connection: Connection,
  mode: MigrationsMode,
  log: { log(line: string): void; warn(line: string): void },
): Promise<void> {
  if (mode === 'run') {
    await migrateEventsToPages(connection, (line) => log.log(line));
    return;
  }
  const pending = await pendingLegacyEvents(connection);
  if (pending === 0) return;
  if (mode === 'check') throw new PendingMigrationError(pending);
  log.warn(
    `${pending} events in ${LEGACY_EVENTS.collection} wait for the event-page migration ` +
      `(MIGRATIONS=warn: starting anyway); run ${MIGRATE_COMMAND}`,
  );
}

/**
 * The migration as a one-shot command (`npm run migrate:event-pages`, the gateway image's
 * `migrate.js`, the Helm chart's Job): connects, migrates, prints what it did; 0 when every
 * session moved, 1 when MongoDB is unreachable or a session was left in the old collection.
 */
export async function runMigrationsCommand(
  mongo: { url: string; db: string },
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const connection = mongoose.createConnection(mongo.url, {
    dbName: mongo.db,
    serverSelectionTimeoutMS: 5_000,
  });
  try {
    await connection.asPromise();
  } catch (e) {
    err(`migrate: MongoDB is not reachable: ${(e as Error).message}`);
    await connection.close().catch(() => undefined);
    return 1;
  }
  try {
    const report = await migrateEventsToPages(connection, out);
    if (report.sessions === 0) out('migrate: no events in the old layout; nothing to do');
    if (report.refused.length) {
      err(
        `migrate: ${report.refused.length} sessions left in ${LEGACY_EVENTS.collection}: their pages do not continue them`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    err(`migrate: ${(e as Error).message}`);
    return 1;
  } finally {
    await connection.close();
  }
}
