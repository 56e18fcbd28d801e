import { mongo } from 'mongoose';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { guardDriverWrites, type DriverConnection } from './driver-write-guard';

// The driver's own Connection class, of the copy mongoose uses. Each test but the last guards a
// subclass of its own, so the driver's class stays unguarded until then and the bug visible.
const driverDir = dirname(require.resolve('mongoose'));
const { Connection } = require(
  require.resolve('mongodb/lib/cmap/connection', { paths: [driverDir] }),
);

interface TestConnection extends DriverConnection {
  closed: boolean;
  hello: unknown;
  command(ns: unknown, command: object, options?: object): Promise<Record<string, unknown>>;
}

const adminCommand = { db: 'admin', collection: '$cmd', toString: () => 'admin.$cmd' };

/**
 * A MongoDB wire server that answers every OP_MSG with `{ ok: 1, echo: <command name> }`, or,
 * with `silent`, never answers.
 */
function wireServer(silent = false): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      if (silent) return;
      const requestId = chunk.readInt32LE(4);
      // OP_MSG: header (16), flagBits (4), section kind 0 (1), then the command document.
      const command = mongo.BSON.deserialize(chunk.subarray(21));
      const body = mongo.BSON.serialize({ ok: 1, echo: Object.keys(command)[0] });
      const reply = Buffer.alloc(21 + body.length);
      reply.writeInt32LE(reply.length, 0);
      reply.writeInt32LE(1, 4);
      reply.writeInt32LE(requestId, 8);
      reply.writeInt32LE(2013, 12);
      reply.writeUInt32LE(0, 16);
      reply.writeUInt8(0, 20);
      reply.set(body, 21);
      socket.write(reply);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port }),
    ),
  );
}

async function driverConnectionTo(
  port: number,
  connectionClass: new (socket: Socket, options: object) => TestConnection,
) {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const connection = new connectionClass(socket, { id: 7, generation: 0, socketTimeoutMS: 100 });
  // What the handshake would have recorded: a server that speaks OP_MSG.
  connection.hello = { ok: 1, isWritablePrimary: true, maxWireVersion: 17, minWireVersion: 0 };
  return { connection, socket };
}

/** Whether `promise` has settled, without waiting for it. */
function track(promise: Promise<unknown>) {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => (state.settled = true),
    (error) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Lets the event loop run a few turns (timers, I/O, 'close' callbacks): no wall-clock wait. */
async function turns(n: number) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('guardDriverWrites', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.destroy());
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function setUp(
    connectionClass: new (socket: Socket, options: object) => TestConnection,
    silent = false,
  ) {
    const { server, port } = await wireServer(silent);
    servers.push(server);
    const made = await driverConnectionTo(port, connectionClass);
    sockets.push(made.socket);
    return made;
  }

  it('the driver as shipped: a command written as its socket is destroyed never settles', async () => {
    // If this fails, the driver now ends such a write itself and the guard can go.
    const { connection, socket } = await setUp(Connection);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const hello = track(connection.command(adminCommand, { hello: 1 }));
    // The socket goes away while the command is on its way to `socket.write` (as when Node
    // destroys a socket whose peer ended it, a turn before it emits 'close').
    socket.destroy();
    await closed;
    await turns(20);
    expect(connection.closed).toBe(true);
    expect(hello.settled).toBe(false);
  });

  it('fails a command whose socket is destroyed on the way with the connection error', async () => {
    class Guarded extends Connection {}
    guardDriverWrites(Guarded);
    const { connection, socket } = await setUp(Guarded);
    const hello = connection.command(adminCommand, { hello: 1 });
    socket.destroy();
    await expect(hello).rejects.toThrow(mongo.MongoNetworkError);
    await expect(hello).rejects.toThrow(/connection 7 to 127\.0\.0\.1:\d+ closed/);
  });

  it('fails a command on an already destroyed socket at once and closes the connection', async () => {
    class Guarded extends Connection {}
    guardDriverWrites(Guarded);
    const { connection, socket } = await setUp(Guarded, true);
    socket.destroy();
    const hello = connection.command(adminCommand, { hello: 1 });
    await expect(hello).rejects.toThrow(mongo.MongoNetworkError);
    expect(connection.closed).toBe(true);
  });

  it('passes answers through and leaves no listener behind', async () => {
    class Guarded extends Connection {}
    guardDriverWrites(Guarded);
    guardDriverWrites(Guarded); // idempotent: one wrapper, not two
    const { connection, socket } = await setUp(Guarded);
    const before = socket.listenerCount('close');
    for (let i = 0; i < 3; i++) {
      await expect(connection.command(adminCommand, { ping: 1 })).resolves.toMatchObject({
        ok: 1,
        echo: 'ping',
      });
    }
    expect(socket.listenerCount('close')).toBe(before);
  });

  it('guards the class of the driver mongoose uses (runs last: it guards it for good)', () => {
    expect(require(require.resolve('mongodb', { paths: [driverDir] }))).toBe(mongo);
    guardDriverWrites();
    expect(Connection.prototype.writeCommand.name).toBe('guardedWriteCommand');
  });
});
