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
  /** The status the receiver answered. */
  status: number;
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
  /** How to answer the `n`th request (0-based); default: 200 `ok`. */
  replyWith(reply: (n: number, request: ReceivedWebhook) => WebhookReply): void;
  close(): Promise<void>;
}

/**
 * A real local HTTP server that receives webhooks the way a user's endpoint should: it verifies
 * every request's Standard Webhooks signature with the subscription's secret before answering,
 * and records what it got. For tests.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let secret: string | null = null;
  let reply: (n: number, request: ReceivedWebhook) => WebhookReply = () => ({
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
      };
      try {
        if (!secret) throw new Error('the receiver has no secret yet');
        record.payload = verify<WebhookPayload>(secret, req.headers, body).payload;
        record.verified = true;
      } catch (err) {
        record.error = (err as Error).message;
      }
      const answer = record.verified
        ? reply(received.length, record)
        : { status: 401, body: record.error ?? 'unverified' };
      record.status = answer.status;
      received.push(record);
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    useSecret: (s) => {
      secret = s;
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

/** Replies with `statuses` in turn, then keeps answering the last one. */
export function statusSequence(...statuses: number[]): (n: number) => WebhookReply {
  return (n) => {
    const status = statuses[Math.min(n, statuses.length - 1)];
    return { status, body: `answer ${n + 1}: ${status}` };
  };
}
