import { getConnectionToken } from '@nestjs/mongoose';
import { TOPICS } from '@reverie/contracts';
import { ApiKeyRevocationsListener } from '@reverie/sessions-feature';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
// The CLI is an app, not a library: the test drives it the way an operator would.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { main as reverie } from '../../../tools/cli/src/main';
import {
  expectApiError,
  startGateway,
  startReplica,
  tapTopic,
  type RunningGateway,
} from './gateway.harness';

/**
 * API keys over HTTP on two gateway replicas sharing one database (issue 14): admin keys create,
 * list and revoke the tenant's keys; a revocation made through one replica is refused by the
 * other at once, although that one had the key cached.
 */
describe('API keys', () => {
  let a: RunningGateway;
  let b: RunningGateway;
  let adminOnA: ApiClient;
  let adminOnB: ApiClient;
  let tenant: string;
  let tap: Awaited<ReturnType<typeof tapTopic>>;

  beforeAll(async () => {
    tap = await tapTopic(TOPICS.apiKeyRevocations);
    a = await startGateway();
    b = await startReplica(a.config);
    tenant = uniqueName('keys');
    // `npm run api-key` makes the same kind of key: an admin one.
    adminOnA = await a.tenant(tenant);
    adminOnB = b.anonymous.withKey(adminOnA.apiKey ?? '');
    // Each replica reads every revocation with a consumer group of its own.
    await expectEventually(() => {
      expect(a.app.get(ApiKeyRevocationsListener).listening).toBe(true);
      expect(b.app.get(ApiKeyRevocationsListener).listening).toBe(true);
    });
  }, 60_000);
  afterAll(async () => {
    await tap?.close();
    await b?.close();
    await a?.close();
  });

  /** A new key of the tenant, made through the API by its admin key. */
  async function aKey(name: string, scopes?: string[]) {
    const created = await adminOnA.post('/v1/api-keys', { name, ...(scopes && { scopes }) });
    expect(created.status).toBe(201);
    return {
      id: created.body.id as string,
      token: created.body.key as string,
      onA: a.anonymous.withKey(created.body.key),
      onB: b.anonymous.withKey(created.body.key),
      body: created.body,
    };
  }

  it('shows a new key once, stores only its hash and lists it without the key', async () => {
    const key = await aKey('ci');
    expect(key.body).toEqual({
      type: 'api_key',
      id: expect.stringMatching(/^key_[a-f0-9]{16}$/),
      name: 'ci',
      prefix: key.token.split('_').slice(0, 2).join('_'),
      scopes: [],
      key: expect.stringMatching(/^rvk_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/),
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });
    const secret = key.token.split('_').slice(2).join('_');
    const stored = await a.app
      .get<Connection>(getConnectionToken())
      .collection('api_keys')
      .findOne({ _id: key.id.replace(/^key_/, '') } as never);
    expect(stored).toMatchObject({ tenantId: tenant, name: 'ci', scopes: [] });
    expect(JSON.stringify(stored)).not.toContain(secret);

    const list = await adminOnB.get('/v1/api-keys');
    expect(list.status).toBe(200);
    const listed = list.body.data.find((k: { id: string }) => k.id === key.id);
    expect(listed).toMatchObject({ name: 'ci', scopes: [], revoked_at: null });
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect((await adminOnA.get(`/v1/api-keys/${key.id}`)).body).not.toHaveProperty('key');
  });

  it('records when a key was last used, at most once a minute', async () => {
    const key = await aKey('reader');
    expect((await key.onA.get('/v1/sessions')).status).toBe(200);
    const first = await expectEventually(async () => {
      const read = await adminOnA.get(`/v1/api-keys/${key.id}`);
      expect(read.body.last_used_at).toEqual(expect.any(String));
      return read.body.last_used_at as string;
    });
    expect(Date.parse(first)).toBeGreaterThanOrEqual(Date.parse(key.body.created_at));
    // Used again on both replicas within the minute: the time written first stays.
    expect((await key.onA.get('/v1/sessions')).status).toBe(200);
    expect((await key.onB.get('/v1/sessions')).status).toBe(200);
    expect((await adminOnB.get(`/v1/api-keys/${key.id}`)).body.last_used_at).toBe(first);
  });

  it('refuses key management to keys without the admin scope (403), and creates admin keys', async () => {
    const plain = await aKey('plain');
    expect((await plain.onA.get('/v1/sessions')).status).toBe(200);
    expectApiError(
      await plain.onA.get('/v1/api-keys'),
      403,
      'permission_error',
      /lacks the "admin" scope/,
    );
    expectApiError(
      await plain.onB.post('/v1/api-keys', { name: 'escalate', scopes: ['admin'] }),
      403,
      'permission_error',
      /lacks the "admin" scope/,
    );
    expectApiError(
      await plain.onA.post(`/v1/api-keys/${plain.id}/revoke`),
      403,
      'permission_error',
      /admin/,
    );

    const admin = await aKey('ops', ['admin']);
    expect(admin.body.scopes).toEqual(['admin']);
    expect((await admin.onB.get('/v1/api-keys')).status).toBe(200);
    expectApiError(
      await adminOnA.post('/v1/api-keys', { name: 'x', scopes: ['root'] }),
      400,
      'invalid_request_error',
      /^invalid API key request: scopes\[0\] must be one of admin/,
    );
    expectApiError(
      await adminOnA.post('/v1/api-keys', { name: ' ' }),
      400,
      'invalid_request_error',
      /name/,
    );
  });

  it("never shows or revokes another tenant's keys (404)", async () => {
    const victim = await aKey('victim');
    const other = await a.tenant(uniqueName('other'));
    const otherOnB = b.anonymous.withKey(other.apiKey ?? '');
    expectApiError(
      await other.get(`/v1/api-keys/${victim.id}`),
      404,
      'not_found_error',
      /API key "key_[a-f0-9]+" not found; list this tenant's keys with GET \/v1\/api-keys/,
    );
    expectApiError(
      await otherOnB.post(`/v1/api-keys/${victim.id}/revoke`),
      404,
      'not_found_error',
      /not found/,
    );
    const theirs = await other.get('/v1/api-keys');
    expect(theirs.body.data.map((k: { id: string }) => k.id)).not.toContain(victim.id);
    expect((await victim.onA.get('/v1/sessions')).status).toBe(200);
    expect((await other.post('/v1/api-keys/not-a-key/revoke')).status).toBe(404);
  });

  it('refuses a revoked key at once on both replicas, though both had it cached', async () => {
    const key = await aKey('leaked');
    // Both replicas verify the key, and so cache it.
    expect((await key.onA.get('/v1/sessions')).status).toBe(200);
    expect((await key.onB.get('/v1/sessions')).status).toBe(200);
    expect((await key.onB.get('/v1/sessions')).status).toBe(200);

    const revoked = await adminOnA.post(`/v1/api-keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: key.id, revoked_at: expect.any(String) });

    // The revoking replica at once; the other within a few seconds (its cache keeps keys 30 s).
    expectApiError(
      await key.onA.get('/v1/sessions'),
      401,
      'authentication_error',
      /invalid or revoked API key/,
    );
    await expectEventually(
      async () => expect((await key.onB.get('/v1/sessions')).status).toBe(401),
      { timeoutMs: 5_000 },
    );

    const keyId = key.id.replace(/^key_/, '');
    await expectEventually(() =>
      expect(tap.messages.map((m) => m.value)).toContainEqual(
        expect.objectContaining({
          type: 'api_key.revoked',
          tenantId: tenant,
          payload: { keyId, revokedAt: revoked.body.revoked_at },
        }),
      ),
    );
    // Revoked keys leave the list; revoking again changes nothing.
    const list = await adminOnB.get('/v1/api-keys');
    expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(key.id);
    const again = await adminOnB.post(`/v1/api-keys/${key.id}/revoke`);
    expect(again.status).toBe(200);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
    expect((await key.onA.get('/v1/sessions')).status).toBe(401);
  });

  it('creates, lists and revokes keys with the reverie CLI', async () => {
    /** `reverie <argv>` against replica B with the admin key: exit code and output. */
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await reverie(
        [...argv, '--url', b.anonymous.baseUrl, '--key', adminOnB.apiKey ?? ''],
        {
          out: (l) => out.push(l),
          err: () => undefined,
        },
      );
      return { code, out: out.join('\n') };
    };
    const created = await cli('api-keys', 'create', '--name', 'deploy-bot', '--scope', 'admin');
    expect(created.code).toBe(0);
    const id = /created (key_[a-f0-9]{16}) +deploy-bot +admin/.exec(created.out)?.[1];
    const token = /^(rvk_\S+)$/m.exec(created.out)?.[1];
    expect({ id, token }).toEqual({ id: expect.any(String), token: expect.any(String) });
    expect((await a.anonymous.withKey(token ?? '').get('/v1/api-keys')).status).toBe(200);

    const listed = await cli('api-keys', 'list');
    expect(listed.out).toContain(`${id}`);
    expect(listed.out).not.toContain(token);

    const revoked = await cli('api-keys', 'revoke', id ?? '');
    expect(revoked).toEqual({
      code: 0,
      out: expect.stringMatching(/^revoked key_.* revoked \d{4}-/),
    });
    await expectEventually(
      async () =>
        expect((await a.anonymous.withKey(token ?? '').get('/v1/sessions')).status).toBe(401),
      { timeoutMs: 5_000 },
    );
    expect((await cli('api-keys', 'list')).out).not.toContain(`${id}`);
  });

  it('documents the key routes in the OpenAPI document', async () => {
    const doc = await a.anonymous.get('/docs-json');
    expect(doc.status).toBe(200);
    const keys = doc.body.paths['/v1/api-keys'];
    expect(keys.post.tags).toEqual(['api-keys']);
    expect(keys.post.requestBody.content['application/json'].schema.required).toEqual(['name']);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/api-keys/{id}', '/v1/api-keys/{id}/revoke']),
    );
  });
});
