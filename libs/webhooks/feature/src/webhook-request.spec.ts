import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSecret, sign, verify } from '@reverie/webhooks-domain';
import { postWebhook } from './webhook-request';

/** A real local server answering with `handler`; records the headers and body it got. */
async function server(handler: RequestListener) {
  const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
}

const secret = generateSecret();
const body = JSON.stringify({ type: 'dream.completed', timestamp: '2026-03-01T12:00:00.000Z' });
const request = (url: string) => {
  const timestamp = Math.floor(Date.now() / 1000);
  return { url, id: 'msg_1', timestamp, signature: sign(secret, 'msg_1', timestamp, body), body };
};

describe('postWebhook', () => {
  it('POSTs the body with the Standard Webhooks headers a receiver can verify', async () => {
    const s = await server((_, res) => res.writeHead(204).end());
    try {
      const result = await postWebhook(request(s.url), 5_000);
      expect(result).toMatchObject({ statusCode: 204, responseBody: '', error: null });
      const [{ headers, body: got }] = s.seen;
      expect(headers['content-type']).toBe('application/json');
      expect(got).toBe(body);
      expect(verify(secret, headers, got).id).toBe('msg_1');
    } finally {
      await s.close();
    }
  });

  it('keeps only the first 2 KB of the response body, and its Retry-After', async () => {
    const s = await server((_, res) =>
      res.writeHead(503, { 'retry-after': '120' }).end('x'.repeat(100_000)),
    );
    try {
      const result = await postWebhook(request(s.url), 5_000);
      expect(result.statusCode).toBe(503);
      expect(result.responseBody).toHaveLength(2_048);
      expect(result.retryAfter).toBe('120');
    } finally {
      await s.close();
    }
  });

  it('does not follow redirects', async () => {
    const s = await server((_, res) => res.writeHead(301, { location: 'http://elsewhere/' }).end());
    try {
      const result = await postWebhook(request(s.url), 5_000);
      expect(result).toMatchObject({ statusCode: 301, location: 'http://elsewhere/' });
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const s = await server(() => undefined);
    try {
      const result = await postWebhook(request(s.url), 200);
      expect(result).toMatchObject({ statusCode: null, error: 'no response within 200 ms' });
    } finally {
      await s.close();
    }
  });

  it('reports a receiver that is not there', async () => {
    const s = await server((_, res) => res.end());
    await s.close();
    const result = await postWebhook(request(s.url), 2_000);
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});
