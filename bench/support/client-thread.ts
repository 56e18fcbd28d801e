/**
 * The bench's HTTP clients on a worker thread of their own. A real client sends from another
 * machine; on the gateway's thread the clients' fetch work (a few % of the run's CPU) and their
 * turns on the event loop were charged to the gateway, while the raw producer's "client" (its
 * messages, serialised up front) cost nothing. The thread still shares this machine's CPUs.
 * Plain JavaScript, evaluated: the worker needs no TypeScript loader.
 */
import { Worker } from 'node:worker_threads';
import type { PreparedRequest } from './gateway-path';

const CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const { token, requests } = workerData;
const headers = { 'content-type': 'application/json', 'x-api-key': token };
async function client(plan) {
  for (const request of plan) {
    const response = await fetch(request.url, { method: 'POST', headers, body: request.body });
    const text = await response.text();
    if (response.status !== 202) {
      throw new Error('POST ' + request.url + ' answered ' + response.status + ': ' + text.slice(0, 300));
    }
    parentPort.postMessage({ accepted: request.count });
  }
}
parentPort.once('message', () => {
  Promise.all(requests.map(client)).then(
    () => parentPort.postMessage({ done: true }),
    (err) => parentPort.postMessage({ error: String((err && err.message) || err) }),
  );
});
parentPort.postMessage({ ready: true });
`;

type FromClients = { ready: true } | { accepted: number } | { done: true } | { error: string };

/** Clients loaded with their requests, waiting for `go`. */
export interface ClientThread {
  /** Starts every client; resolves when all requests were answered 202. */
  go: (onAccepted: (count: number) => void) => Promise<void>;
}

/** Starts the thread and hands it the requests; resolves once it is ready to send. */
export function startClientThread(
  token: string,
  requests: PreparedRequest[][],
): Promise<ClientThread> {
  const worker = new Worker(CLIENTS, { eval: true, workerData: { token, requests } });
  let onAccepted: (count: number) => void = () => undefined;
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const end = (err?: Error) => {
    void worker.terminate();
    if (err) settle?.reject(err);
    else settle?.resolve();
  };
  return new Promise((ready, failed) => {
    worker.on('error', (err) => (settle ? end(err) : failed(err)));
    worker.on('message', (m: FromClients) => {
      if ('ready' in m) {
        ready({
          go: (accepted) =>
            new Promise<void>((resolve, reject) => {
              onAccepted = accepted;
              settle = { resolve, reject };
              worker.postMessage('go');
            }),
        });
      } else if ('accepted' in m) onAccepted(m.accepted);
      else if ('done' in m) end();
      else end(new Error(m.error));
    });
  });
}
