import { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { withTimeout } from '../timeout';

/** Further index passes after a reconnect, in ms (see `recreateIndexesOnReconnect`). */
const RECHECK_AFTER_MS = [5_000, 15_000];

/** Every this many ms a pass runs anyway (see `recreateIndexesOnReconnect`). */
const INDEX_CHECK_MS = 30_000;

/**
 * Recreates every registered model's indexes whenever the connection comes back after MongoDB was
 * unreachable. Mongoose builds indexes once, when the service starts; a MongoDB that restarted
 * empty (or was restored without them) would otherwise run without its unique indexes, and the
 * writes that rely on them for idempotency (envelope ids, `(sessionId, seq)`) would store
 * duplicates, until each service happened to restart.
 *
 * `createIndexes` only adds what is missing (unlike `syncIndexes`, it never drops an index another
 * schema of the same collection declared). One pass at a time; a pass asked for while one runs
 * follows it. Outages are seen from mongoose's events and the driver's (heartbeats, pool clears),
 * with passes 5 and 15 s after a reconnect and one every 30 s whatever happened.
 *
 * Why the periodic pass is needed (mongodb driver 7.8, `sdam/monitor.js` `checkServer`): when the
 * monitor finds its connection already closed, it connects anew and reports a *successful*
 * heartbeat; pooled connections found closed at checkout are discarded without clearing the pool.
 * So a server that restarts between two heartbeats (10 s apart) shows no failure at all. A real
 * MongoDB's `hello` carries `topologyVersion.processId`, which changes on a restart; the
 * MongoDB-wire server used here sends neither that nor `connectionId`, so no event can tell. In 1
 * of 4 and then 1 of 5 of the durability spec's runs only the periodic pass recreated the indexes.
 */
export function recreateIndexesOnReconnect(
  connection: Connection,
  logger = new Logger('MongoDB'),
): void {
  let pass: Promise<void> | undefined;
  let again = false;
  let lost = false;
  // A reconnect while a pass runs (MongoDB went away again mid-pass, or came back twice) asks
  // for one more pass once it ends: dropping it left a server that restarted empty without its
  // indexes until the next outage.
  const run = (): void => {
    if (pass) {
      again = true;
      return;
    }
    pass = ensureIndexes(connection, logger).finally(() => {
      pass = undefined;
      if (again) {
        again = false;
        run();
      }
    });
  };
  const timers = new Set<NodeJS.Timeout>();
  connection.on('disconnected', () => {
    lost = true;
    logger.warn('MongoDB is unreachable: requests that need it answer 503 until it is back');
  });
  const back = () => {
    if (!lost) return;
    lost = false;
    logger.log('MongoDB is reachable again: recreating missing indexes');
    run();
    // The driver can reconnect to a server that is still shutting down (seen 0.5 s after the
    // disconnect, before the new one started) and then reach the new, empty server without
    // another event: passes a little later cover that. `createIndexes` only adds what is missing.
    for (const ms of RECHECK_AFTER_MS) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, ms);
      timer.unref();
      timers.add(timer);
    }
  };
  // Mongoose says `reconnected` when the driver recovers the connection, and `connected` when it
  // had to connect anew; either, after an outage, means the server may be a new, empty one.
  connection.on('reconnected', back);
  connection.on('connected', back);
  // A server that restarts within a heartbeat or two never shows as disconnected to mongoose:
  // the monitor fails once when its socket breaks mid-check (or the pool is cleared on a socket
  // dropped in use) and succeeds on the new server. Those events count as an outage too. (A
  // restart wholly between two checks shows none: see the periodic pass below.)
  const client = connection.getClient();
  const markLost = () => {
    lost = true;
  };
  client.on('serverHeartbeatFailed', markLost);
  client.on('connectionPoolCleared', markLost);
  client.on('serverHeartbeatSucceeded', back);
  // The safety net: a pass every INDEX_CHECK_MS whatever the events said, for a restart wholly
  // between two heartbeats (the monitor reconnects silently). On an index-complete database a
  // pass is one no-op command per collection.
  const periodic = setInterval(run, INDEX_CHECK_MS);
  periodic.unref();
  connection.on('close', () => {
    clearInterval(periodic);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });
}

/**
 * Most one model's `createIndexes` may take in a pass: a call sent on a connection to a server
 * that is going away could wait forever (the driver's write on a destroyed socket, which
 * `guardDriverWrites` now ends), and a pass that never ends would block every later one. Kept as
 * a bound for any other wait without an end.
 */
const CREATE_INDEXES_TIMEOUT_MS = 10_000;

/** Creates the missing indexes of every model on `connection`; logs (never throws) a failure. */
export async function ensureIndexes(connection: Connection, logger: Logger): Promise<void> {
  for (const model of Object.values(connection.models)) {
    try {
      await withTimeout(model.createIndexes(), CREATE_INDEXES_TIMEOUT_MS, 'createIndexes');
    } catch (err) {
      logger.error(
        `could not recreate the indexes of ${model.collection.collectionName}: ${(err as Error).message}; they are tried again on the next reconnect or restart`,
      );
    }
  }
}
