import { createServer } from 'node:net';

/**
 * Ports are drawn from below Linux's ephemeral range (32768–60999 by default). A port the OS
 * hands out for `listen(0)` is one it also hands out to outgoing connections: while a service
 * under test is stopped, a client retrying against its port can be given that very port as its
 * own source port and connect to itself (TCP simultaneous open), and the service can then not
 * bind it again on restart.
 */
const LOW = 20_000;
const HIGH = 32_000;

/** `count` distinct TCP ports on 127.0.0.1 that were free a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count; attempt++) {
    if (attempt > count * 200) throw new Error(`no ${count} free ports in ${LOW}–${HIGH}`);
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

/** One TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
