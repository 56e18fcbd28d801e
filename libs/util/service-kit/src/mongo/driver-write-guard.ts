import { mongo } from 'mongoose';
import { dirname } from 'node:path';

/** The part of the driver's internal `Connection` (mongodb/lib/cmap/connection.js) used here. */
export interface DriverConnection {
  readonly socket: {
    readonly destroyed: boolean;
    once(event: 'close', listener: () => void): unknown;
    off(event: 'close', listener: () => void): unknown;
  };
  readonly id: number | string;
  readonly address: string;
  /** Set by the driver when the connection is cleaned up (closed, failed or timed out). */
  readonly error: Error | null;
  onError(error: Error): void;
  writeCommand(command: unknown, options: unknown): Promise<void>;
}

export interface DriverConnectionClass {
  prototype: DriverConnection;
}

const GUARDED = Symbol.for('reverie.mongo.driverWriteGuard');

/**
 * Makes every write of the MongoDB driver end once its socket is gone, instead of never.
 *
 * The bug (mongodb 7.8.0 and 7.9.0, `Connection.writeCommand`): a command written while the
 * socket is already destroyed but has not emitted 'close' yet (Node destroys a socket after both
 * sides ended and emits 'close' a turn later) gets `false` from `socket.write`, and the driver
 * then waits for 'drain' or 'error'. A destroyed socket emits neither, and ignores the socket
 * timeout it was given, so the command never settles.
 *
 * When that command is the server monitor's heartbeat, the monitor never checks again: its check
 * stays "in progress", every later request for a check is dropped, and the server keeps the
 * description of the error that marked it unknown. Every operation then fails server selection
 * with that same error (`connection 6 to 127.0.0.1:… closed`) for the life of the process, long
 * after MongoDB is back. It happens when MongoDB closes its connections at once (a stop or
 * restart): an operation fails on a closed pooled connection, its retry asks for a check, and the
 * check runs on the monitor's connection inside that window (seen in 1 of about 4 runs of the
 * mongo-outage spec, and reproduced by stopping and starting the server under load). A pooled
 * connection caught the same way leaves its operation hanging, which is why index passes have
 * their own timeout.
 *
 * The guard fails such a write with the connection's own network error: at once when the socket
 * is already destroyed, else when it closes while the write waits. The driver then treats it as
 * any network error (the heartbeat fails, the monitor reconnects). Installed once per process on
 * the driver's class (the one mongoose uses); idempotent.
 */
export function guardDriverWrites(connectionClass: DriverConnectionClass = driverConnection()) {
  const proto = connectionClass.prototype as DriverConnection & { [GUARDED]?: true };
  if (Object.prototype.hasOwnProperty.call(proto, GUARDED)) return;
  const write = proto.writeCommand;
  if (typeof write !== 'function') {
    throw new Error(
      'the MongoDB driver has no Connection.prototype.writeCommand any more: check whether it still ' +
        'hangs on a destroyed socket (libs/util/service-kit/src/mongo/driver-write-guard.ts)',
    );
  }
  proto.writeCommand = function guardedWriteCommand(
    this: DriverConnection,
    command: unknown,
    options: unknown,
  ) {
    const closed = () =>
      this.error ?? new mongo.MongoNetworkError(`connection ${this.id} to ${this.address} closed`);
    const { socket } = this;
    if (socket.destroyed) {
      const error = closed();
      // As the driver does for a write that throws: the connection is done (and is not checked
      // back into its pool as usable).
      this.onError(error);
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      const onClose = () => reject(closed());
      socket.once('close', onClose);
      write
        .call(this, command, options)
        .then(resolve, reject)
        .finally(() => socket.off('close', onClose));
    });
  };
  Object.defineProperty(proto, GUARDED, { value: true });
}

/** The driver's `Connection` class, of the driver copy mongoose uses. */
function driverConnection(): DriverConnectionClass {
  const path = require.resolve('mongodb/lib/cmap/connection', {
    paths: [dirname(require.resolve('mongoose'))],
  });
  // A plain require, not `createRequire`: under Jest that would load a second copy of the driver
  // beside the one the test's mongoose uses, and guard that one.
  return (require(path) as { Connection: DriverConnectionClass }).Connection;
}
