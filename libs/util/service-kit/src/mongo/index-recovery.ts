import { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';

/**
 * Recreates every registered model's indexes whenever the connection comes back after MongoDB was
 * unreachable. Mongoose builds indexes once, when the service starts; a MongoDB that restarted
 * empty (or was restored without them) would otherwise run without its unique indexes, and the
 * writes that rely on them for idempotency (envelope ids, `(sessionId, seq)`) would store
 * duplicates, until each service happened to restart.
 *
 * `createIndexes` only adds what is missing (unlike `syncIndexes`, it never drops an index another
 * schema of the same collection declared). One pass at a time; a pass cut short by another outage
 * runs again on the next reconnect.
 */
export function recreateIndexesOnReconnect(
  connection: Connection,
  logger = new Logger('MongoDB'),
): void {
  let pass: Promise<void> | undefined;
  connection.on('disconnected', () => {
    logger.warn('MongoDB is unreachable: requests that need it answer 503 until it is back');
  });
  connection.on('reconnected', () => {
    logger.log('MongoDB is reachable again: recreating missing indexes');
    pass ??= ensureIndexes(connection, logger).finally(() => {
      pass = undefined;
    });
  });
}

/** Creates the missing indexes of every model on `connection`; logs (never throws) a failure. */
export async function ensureIndexes(connection: Connection, logger: Logger): Promise<void> {
  for (const model of Object.values(connection.models)) {
    try {
      await model.createIndexes();
    } catch (err) {
      logger.error(
        `could not recreate the indexes of ${model.collection.collectionName}: ${(err as Error).message}; they are tried again on the next reconnect or restart`,
      );
    }
  }
}
