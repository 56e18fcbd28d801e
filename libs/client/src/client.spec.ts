import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReverieClient } from './client';
import { ReverieApiError, ReverieConnectionError, ReverieTimeoutError } from './errors';
import { retryAfterMs } from './transport';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server answering from a script of handlers, one per request (the last repeats). */
async function serve(
  ...handlers: ((req: Seen, res: ServerResponse) => void)[]
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handlers[Math.min(seen.length, handlers.length) - 1](s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_: Seen, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

const overloaded = {
  type: 'error',
  error: { type: 'overloaded_error', message: 'MongoDB is unavailable' },
};

function client(url: string, extra: Partial<ConstructorParameters<typeof ReverieClient>[0]> = {}) {
  return new ReverieClient({
    baseUrl: url,
    apiKey: 'rvk_test',
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

describe('ReverieClient over real HTTP', () => {
  it('sends the key, fills and encodes path params, drops undefined query members', async () => {
    const api = await serve(json(200, { data: [], has_more: false, last_id: null }));
    try {
      await client(api.url).playbooks.versions('agt/1', { role: 'navigator', status: undefined });
      expect(api.seen[0].method).toBe('GET');
      expect(api.seen[0].url).toBe('/v1/agents/agt%2F1/playbook/versions?role=navigator');
      expect(api.seen[0].headers['x-api-key']).toBe('rvk_test');
    } finally {
      await api.close();
    }
  });

  it("throws the API's error type, message and details as a ReverieApiError", async () => {
    const api = await serve(
      json(400, {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'invalid agent',
          details: [{ path: 'name', message: 'Required' }],
        },
      }),
    );
    try {
      const err = await client(api.url)
        .agents.create({ name: '' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ReverieApiError);
      expect(err).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        details: [{ path: 'name' }],
      });
      expect(err.message).toBe('POST /v1/agents failed with 400: invalid agent (name: Required)');
      expect(api.seen).toHaveLength(1); // a 400 is final
    } finally {
      await api.close();
    }
  });

  it('retries a POST the API refused before acting (503 with Retry-After) and returns the answer', async () => {
    const api = await serve(
      json(503, overloaded, { 'retry-after': '0' }),
      json(201, { id: 'ses_1' }),
    );
    const retries: number[] = [];
    try {
      const session = await client(api.url, {
        onRetry: (r) => retries.push(r.attempt),
      }).sessions.create({
        agentId: 'agt_1',
      });
      expect(session.id).toBe('ses_1');
      expect(api.seen.map((s) => s.method)).toEqual(['POST', 'POST']);
      expect(JSON.parse(api.seen[1].body)).toEqual({ agentId: 'agt_1' });
      expect(retries).toEqual([1]);
    } finally {
      await api.close();
    }
  });

  it('does not retry a non-idempotent POST after a 502 (it may have acted), but does retry events', async () => {
    const api = await serve(
      json(502, { type: 'error', error: { type: 'api_error', message: 'bad gateway' } }),
    );
    try {
      const err = await client(api.url)
        .agents.create({ name: 'support-bot' })
        .catch((e) => e);
      expect(err).toMatchObject({ status: 502 });
      expect(api.seen).toHaveLength(1);
      const events = await client(api.url)
        .sessions.appendEvents('ses_1', [{ clientEventId: '1', type: 'message' }])
        .catch((e) => e);
      expect(events).toMatchObject({ status: 502 });
      expect(api.seen).toHaveLength(1 + 3); // every attempt of the idempotent call
    } finally {
      await api.close();
    }
  });

  it('sends one Idempotency-Key per create call, the same on each of its retries', async () => {
    const api = await serve(
      json(503, overloaded, { 'retry-after': '0' }),
      json(201, { id: 'ses_1' }),
      json(201, { id: 'ses_2' }),
    );
    try {
      const c = client(api.url);
      expect((await c.sessions.create({ agentId: 'agt_1' })).id).toBe('ses_1');
      expect((await c.sessions.create({ agentId: 'agt_1' })).id).toBe('ses_2');
      const keys = api.seen.map((s) => s.headers['idempotency-key']);
      expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
      expect(keys[1]).toBe(keys[0]); // the retry of the first call
      expect(keys[2]).not.toBe(keys[0]); // another call
    } finally {
      await api.close();
    }
  });

  it("sends the caller's Idempotency-Key on feedback, and retries it after a 502 too", async () => {
    const api = await serve(
      json(502, { type: 'error', error: { type: 'api_error', message: 'bad gateway' } }),
      json(202, { id: 'fbk_1', type: 'feedback' }),
    );
    try {
      const feedback = await client(api.url).sessions.sendFeedback(
        'ses_1',
        { rating: 'positive' },
        { idempotencyKey: 'ticket-42-thumbs-up' },
      );
      expect(feedback.id).toBe('fbk_1');
      expect(api.seen.map((s) => s.headers['idempotency-key'])).toEqual([
        'ticket-42-thumbs-up',
        'ticket-42-thumbs-up',
      ]);
    } finally {
      await api.close();
    }
  });

  it('gives up at once when Retry-After asks for longer than the client waits, and says how long', async () => {
    const api = await serve(json(429, overloaded, { 'retry-after': '120' }));
    try {
      const err = await client(api.url)
        .sessions.get('ses_1')
        .catch((e) => e);
      expect(err).toMatchObject({ status: 429, retryAfterMs: 120_000 });
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('retries GETs on a refused connection a bounded number of times, then names the address', async () => {
    const api = await serve(json(200, {}));
    await api.close(); // the port is now closed
    const retries: string[] = [];
    const err = await client(api.url, { onRetry: (r) => retries.push(r.reason) })
      .sessions.get('ses_1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(ReverieConnectionError);
    expect(err.message).toContain(`cannot reach the API at ${api.url}`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(retries).toHaveLength(2); // 3 attempts in all
  });

  it('times out an attempt that gets no answer', async () => {
    const api = await serve(() => undefined); // never answers
    try {
      const err = await client(api.url, { timeoutMs: 200, retry: { attempts: 1 } })
        .dreams.get('drm_1')
        .catch((e) => e);
      expect(err).toBeInstanceOf(ReverieTimeoutError);
      expect(err.message).toBe('GET /v1/dreams/drm_1: no answer within 200 ms');
    } finally {
      await api.close();
    }
  });

  it("stops at the caller's abort and does not retry it", async () => {
    const api = await serve(() => undefined);
    try {
      const controller = new AbortController();
      const pending = client(api.url)
        .sessions.get('ses_1', { signal: controller.signal })
        .catch((e) => e);
      setTimeout(() => controller.abort(new Error('user gave up')), 50);
      expect((await pending).message).toBe('user gave up');
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('pages a cursor list lazily with after_id, and stops fetching when the reader stops', async () => {
    const pages = [
      { data: [{ id: 'a' }, { id: 'b' }], has_more: true, last_id: 'b' },
      { data: [{ id: 'c' }], has_more: true, last_id: 'c' },
      { data: [{ id: 'd' }], has_more: false, last_id: 'd' },
    ];
    const api = await serve(...pages.map((p) => json(200, p)));
    try {
      const c = client(api.url);
      const ids = (await c.collect(c.sessions.listAll({ agentId: 'agt_1' }))).map((s) => s.id);
      expect(ids).toEqual(['a', 'b', 'c', 'd']);
      expect(api.seen.map((s) => s.url)).toEqual([
        '/v1/sessions?limit=100&agentId=agt_1',
        '/v1/sessions?limit=100&agentId=agt_1&after_id=b',
        '/v1/sessions?limit=100&agentId=agt_1&after_id=c',
      ]);
      api.seen.length = 0;
      expect(await c.collect(c.sessions.listAll(), 1)).toHaveLength(1);
      expect(api.seen).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it("reads every event of a session by after_seq, and a dream report's Markdown as text", async () => {
    const api = await serve(
      json(200, { data: [{ seq: 1 }, { seq: 2 }], has_more: true, last_seq: 2 }),
      json(200, { data: [{ seq: 3 }], has_more: false, last_seq: 3 }),
      (_, res) => {
        res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' });
        res.end('# Dream drm_1\n');
      },
    );
    try {
      const c = client(api.url);
      expect((await c.collect(c.sessions.allEvents('ses_1'))).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(api.seen[1].url).toBe('/v1/sessions/ses_1/events?after_seq=2&limit=1000');
      expect(await c.dreams.reportMarkdown('drm_1')).toBe('# Dream drm_1\n');
      expect(api.seen[2].url).toBe('/v1/dreams/drm_1/report?format=markdown');
    } finally {
      await api.close();
    }
  });

  it('refuses a base URL that is not http(s) and a route param that is missing', () => {
    expect(() => new ReverieClient({ baseUrl: 'localhost:3000' })).toThrow(
      'baseUrl must start with http:// or https://, got "localhost:3000"',
    );
    expect(() => client('http://127.0.0.1:1').sessions.get('')).toThrow(
      'sessions.get: id is required',
    );
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Sun, 22 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
