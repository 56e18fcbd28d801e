import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify, type WebhookPayload } from '@reverie/webhooks-domain';

/** One request the receiver got, with the outcome of checking its signature. */
export interface ReceivedWebhook {
  id: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as received. */
  body: string;
  payload: WebhookPayload | null;
  /** True when the signature, headers and timestamp checked out against the secret. */
  verified: boolean;
  /** Why verification failed. */
  error: string | null;
  /** The status the receiver answered (0 while it has not answered). */
  status: number;
  /**
   * `waiting` while the reply is held (see `replyWith`), `answered` once sent, `abandoned` when
   * the sender hung up first (its timeout).
   */
  state: 'waiting' | 'answered' | 'abandoned';
}

export interface WebhookReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The secret to verify with (known once the subscription is created). */
  useSecret(secret: string): void;
  /**
   * How to answer the `n`th request (0-based); default: 200 `ok`. A promise holds the request
   * open until it settles (a receiver that stalls).
   */
  replyWith(reply: ReplyFn): void;
  close(): Promise<void>;
}

export type ReplyFn = (n: number, request: ReceivedWebhook) => WebhookReply | Promise<WebhookReply>;

/**
 * A real local HTTP server that receives webhooks the way a user's endpoint should: it verifies
 * every request's Standard Webhooks signature with the subscription's secret before answering,
 * and records what it got. Listens on `host` (a loopback address: 127.0.0.1 by default). For tests.
 */
export async function startWebhookReceiver({ host = '127.0.0.1' } = {}): Promise<WebhookReceiver> {
  let secret: string | null = null;
  let reply: ReplyFn = () => ({
    status: 200,
    body: 'ok',
  });
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const record: ReceivedWebhook = {
        id: String(req.headers['webhook-id'] ?? ''),
        headers: req.headers,
        body,
        payload: null,
        verified: false,
        error: null,
        status: 0,
        state: 'waiting',
      };
      try {
        if (!secret) throw new Error('the receiver has no secret yet');
        record.payload = verify<WebhookPayload>(secret, req.headers, body).payload;
        record.verified = true;
      } catch (err) {
        record.error = (err as Error).message;
      }
      const n = received.length;
      received.push(record);
      res.once('close', () => {
        if (record.state === 'waiting') record.state = 'abandoned';
      });
      void (async () => {
        const answer = record.verified
          ? await reply(n, record)
          : { status: 401, body: record.error ?? 'unverified' };
        if (record.state !== 'waiting') return;
        record.status = answer.status;
        record.state = 'answered';
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/hooks`,
    received,
    useSecret: (value) => {
      secret = value;
    },
    replyWith: (fn) => {
      reply = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A reply held until `release()` is called: for a receiver that stalls. */
export function heldReply(reply: WebhookReply = { status: 200, body: 'ok' }): {
  reply: () => Promise<WebhookReply>;
  release: () => void;
} {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { reply: () => released.then(() => reply), release };
}

/** Replies with `statuses` in turn, then keeps answering the last one. */
export function statusSequence(...statuses: number[]): (n: number) => WebhookReply {
  return (n) => {
    const status = statuses[Math.min(n, statuses.length - 1)];
    return { status, body: `answer ${n + 1}: ${status}` };
  };
}
