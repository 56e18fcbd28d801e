import { ApiError, parseOrThrow } from '@reverie/http';
import { webhookNetworkPolicy } from '@reverie/webhooks-domain';
import {
  createWebhookSchema,
  createWebhookSchemaFor,
  listWebhookDeliveriesQuerySchema,
  listWebhooksQuerySchema,
} from './webhook-requests';

/** The 400 a body gets: its message and the paths of its details. */
function rejection(body: unknown) {
  try {
    parseOrThrow(createWebhookSchema, body, 'webhook');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { status: err.status, message: err.message, paths: err.details?.map((d) => d.path) };
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

const valid = { url: 'https://hooks.example.com/reverie', event_types: ['dream.completed'] };

describe('createWebhookSchema', () => {
  it('takes a URL, event types (each once) and an optional description', () => {
    expect(
      parseOrThrow(
        createWebhookSchema,
        {
          ...valid,
          event_types: ['playbook.proposed', 'dream.completed', 'playbook.proposed'],
          description: 'ops channel',
        },
        'webhook',
      ),
    ).toEqual({
      url: valid.url,
      event_types: ['playbook.proposed', 'dream.completed'],
      description: 'ops channel',
    });
    // An internal address only with the development allow-list.
    const dev = createWebhookSchemaFor(webhookNetworkPolicy(['127.0.0.1']));
    expect(parseOrThrow(dev, { ...valid, url: 'http://127.0.0.1:9000/h' }, 'webhook').url).toBe(
      'http://127.0.0.1:9000/h',
    );
  });

  it('refuses internal addresses and names, saying which and how to allow one in development', () => {
    expect(rejection({ ...valid, url: 'http://127.0.0.1:9000/h' })).toMatchObject({
      status: 400,
      paths: ['url'],
      message: expect.stringMatching(
        /^invalid webhook: url must not point at 127\.0\.0\.1: it is a loopback address .*WEBHOOK_ALLOWED_HOSTS/,
      ),
    });
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.google.internal/',
      'http://10.0.0.8/',
      'http://[::ffff:192.168.0.1]/',
      'http://localhost:8080/',
    ])
      expect(rejection({ ...valid, url }).paths).toEqual(['url']);
  });

  it('rejects URLs that are not http(s), relative, too long or carry credentials', () => {
    expect(rejection({ ...valid, url: 'ftp://example.com/x' })).toMatchObject({
      status: 400,
      paths: ['url'],
      message: expect.stringContaining('must be http or https, not ftp:'),
    });
    expect(rejection({ ...valid, url: '/hooks' }).message).toContain('absolute URL');
    expect(rejection({ ...valid, url: `https://example.com/${'a'.repeat(2_048)}` }).paths).toEqual([
      'url',
    ]);
    expect(rejection({ ...valid, url: 'https://user:pw@example.com/' }).message).toContain(
      'may not carry credentials',
    );
    expect(rejection({ event_types: valid.event_types }).paths).toEqual(['url']);
  });

  it('rejects no event types and unknown ones, naming each', () => {
    expect(rejection({ ...valid, event_types: [] }).message).toContain(
      'must name at least one event type',
    );
    expect(
      rejection({ ...valid, event_types: ['dream.completed', 'dream.started'] }),
    ).toMatchObject({
      paths: ['event_types[1]'],
      message: expect.stringContaining('must be one of dream.completed, dream.failed'),
    });
  });

  it('rejects unknown fields and long descriptions', () => {
    expect(rejection({ ...valid, secret: 'whsec_mine' }).paths).toEqual(['(body)']);
    expect(rejection({ ...valid, description: 'x'.repeat(513) }).paths).toEqual(['description']);
  });
});

describe('listWebhookDeliveriesQuerySchema', () => {
  it('defaults the limit to 20 and checks status and limit', () => {
    expect(parseOrThrow(listWebhookDeliveriesQuerySchema, {}, 'query')).toEqual({ limit: 20 });
    expect(
      parseOrThrow(listWebhookDeliveriesQuerySchema, { status: 'failed', limit: '5' }, 'query'),
    ).toEqual({ status: 'failed', limit: 5 });
    expect(() =>
      parseOrThrow(listWebhookDeliveriesQuerySchema, { status: 'lost' }, 'query', 'query'),
    ).toThrow(/query.status must be one of pending, succeeded, failed/);
    expect(() =>
      parseOrThrow(listWebhookDeliveriesQuerySchema, { limit: '500' }, 'query', 'query'),
    ).toThrow(/query.limit/);
  });
});

describe('listWebhooksQuerySchema', () => {
  it('takes no parameters and refuses any given, as the other lists refuse unknown ones', () => {
    expect(parseOrThrow(listWebhooksQuerySchema, {}, 'query', 'query')).toEqual({});
    expect(() =>
      parseOrThrow(listWebhooksQuerySchema, { 'x[$ne]': '1' }, 'query', 'query'),
    ).toThrow(/^invalid query: query .*x\[\$ne\]/);
  });
});
