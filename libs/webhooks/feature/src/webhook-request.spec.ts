import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSecret, sign, verify, webhookNetworkPolicy } from '@reverie/webhooks-domain';
import { postWebhook, type Resolver } from './webhook-request';

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

/** The receivers here listen on 127.0.0.1: allowed as in development. */
const dev = webhookNetworkPolicy(['127.0.0.1']);
const post = (url: string, timeoutMs = 5_000, resolve?: Resolver) =>
  postWebhook(request(url), { timeoutMs, policy: dev, resolve });

describe('postWebhook', () => {
  it('POSTs the body with the Standard Webhooks headers a receiver can verify', async () => {
    const s = await server((_, res) => res.writeHead(204).end());
    try {
      const result = await post(s.url);
      expect(result).toMatchObject({ statusCode: 204, errorType: null, error: null });
      const [{ headers, body: got }] = s.seen;
      expect(headers['content-type']).toBe('application/json');
      expect(got).toBe(body);
      expect(verify(secret, headers, got).id).toBe('msg_1');
    } finally {
      await s.close();
    }
  });

  it('keeps the status and Retry-After, and nothing of the response body', async () => {
    const s = await server((_, res) =>
      res.writeHead(503, { 'retry-after': '120' }).end('secret internal page '.repeat(5_000)),
    );
    try {
      const result = await post(s.url);
      expect(result).toEqual({
        statusCode: 503,
        errorType: null,
        error: null,
        retryAfter: '120',
        location: null,
      });
      expect(JSON.stringify(result)).not.toContain('secret');
    } finally {
      await s.close();
    }
  });

  it('does not follow redirects', async () => {
    const s = await server((_, res) => res.writeHead(301, { location: 'http://elsewhere/' }).end());
    try {
      const result = await post(s.url);
      expect(result).toMatchObject({ statusCode: 301, location: 'http://elsewhere/' });
      expect(s.seen).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const s = await server(() => undefined);
    try {
      const result = await post(s.url, 200);
      expect(result).toMatchObject({
        statusCode: null,
        errorType: 'timeout',
        error: 'no response within 200 ms',
      });
    } finally {
      await s.close();
    }
  });

  it('reports a receiver that is not there', async () => {
    const s = await server((_, res) => res.end());
    await s.close();
    const result = await post(s.url, 2_000);
    expect(result).toMatchObject({ statusCode: null, errorType: 'connection_refused' });
  });
});

describe('postWebhook against internal addresses', () => {
  /** A resolver that answers from a table, recording each question. */
  const resolverOf = (table: Record<string, string[]>) => {
    const asked: string[] = [];
    const resolve: Resolver = async (hostname) => {
      asked.push(hostname);
      const found = table[hostname];
      if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return found;
    };
    return { asked, resolve };
  };

  it('refuses a loopback address without the allow-list, and sends nothing', async () => {
    const s = await server((_, res) => res.writeHead(200).end());
    try {
      const result = await postWebhook(request(s.url), { timeoutMs: 2_000 });
      expect(result).toMatchObject({
        statusCode: null,
        errorType: 'address_refused',
        error: expect.stringContaining('it is a loopback address'),
      });
      expect(s.seen).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('resolves a name, refuses it when any address is internal, and sends nothing', async () => {
    const s = await server((_, res) => res.writeHead(200).end());
    const port = new URL(s.url).port;
    const dns = resolverOf({
      'rebind.example.test': ['203.0.113.9', '127.0.0.1'],
      'meta.example.test': ['169.254.169.254'],
    });
    try {
      for (const host of ['rebind.example.test', 'meta.example.test']) {
        const result = await postWebhook(request(`http://${host}:${port}/hook`), {
          timeoutMs: 2_000,
          resolve: dns.resolve,
        });
        expect(result).toMatchObject({
          errorType: 'address_refused',
          error: expect.stringContaining(`${host} (resolved to `),
        });
      }
      expect(s.seen).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('connects to the address it checked, asking DNS once', async () => {
    const s = await server((_, res) => res.writeHead(204).end());
    const port = new URL(s.url).port;
    // Only this resolver knows the name; the connection can only have used its answer.
    const dns = resolverOf({ 'hooks.example.test': ['127.0.0.1'] });
    try {
      const result = await post(`http://hooks.example.test:${port}/hook`, 2_000, dns.resolve);
      expect(result).toMatchObject({ statusCode: 204, errorType: null });
      expect(dns.asked).toEqual(['hooks.example.test']);
      expect(s.seen[0].headers.host).toBe(`hooks.example.test:${port}`);
    } finally {
      await s.close();
    }
  });

  it('records a name that does not resolve', async () => {
    const dns = resolverOf({});
    const result = await post('http://nowhere.example.test/hook', 2_000, dns.resolve);
    expect(result).toMatchObject({
      errorType: 'dns_failed',
      error: expect.stringContaining('ENOTFOUND'),
    });
  });

  it('refuses other schemes and credentials at delivery too', async () => {
    for (const url of ['ftp://127.0.0.1/x', 'http://u:p@127.0.0.1/x']) {
      const result = await post(url);
      expect(result.errorType).toBe('address_refused');
    }
  });
});
