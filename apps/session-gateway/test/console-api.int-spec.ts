import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anAgent } from '@reverie/testing';
import { expectApiError, startGateway, type RunningGateway } from './gateway.harness';

// What the operator console needs from the gateway besides the domain APIs: who a key is
// (GET /v1/me), the tenant's agents (GET /v1/agents) and the console's bundle at /console.
describe('gateway: the console routes', () => {
  let gateway: RunningGateway;
  const bundle = mkdtempSync(join(tmpdir(), 'console-bundle-'));

  beforeAll(async () => {
    writeFileSync(join(bundle, 'index.html'), '<!doctype html><title>Reverie console</title>');
    gateway = await startGateway({ CONSOLE_DIR: bundle });
  });
  afterAll(() => gateway?.close());

  it('GET /v1/me names the key’s tenant and scopes, and refuses a wrong key', async () => {
    const api = await gateway.tenant('acme-console');
    const me = await api.get('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ type: 'caller', tenant: 'acme-console', scopes: ['admin'] });
    expect(me.body.key_id).toMatch(/^key_/);
    const wrong = await gateway.anonymous.withKey('rvk_nope_nope').get('/v1/me');
    expectApiError(wrong, 401, 'authentication_error', /key/i);
  });

  it('GET /v1/agents lists only the tenant’s agents, by name, paged by after_name', async () => {
    const mine = await gateway.tenant();
    const theirs = await gateway.tenant();
    for (const name of ['charlie', 'alpha', 'bravo']) {
      expect((await mine.post('/v1/agents', anAgent({ name }))).status).toBe(201);
    }
    expect((await theirs.post('/v1/agents', anAgent({ name: 'alpha-other' }))).status).toBe(201);

    const first = await mine.get('/v1/agents?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((a: { name: string }) => a.name)).toEqual(['alpha', 'bravo']);
    expect(first.body).toMatchObject({ has_more: true, last_name: 'bravo' });
    expect(first.body.data[0]).toMatchObject({ type: 'agent', roles: expect.any(Array) });
    expect(first.body.data[0].tenantId).toBeUndefined();

    const second = await mine.get('/v1/agents?limit=2&after_name=bravo');
    expect(second.body.data.map((a: { name: string }) => a.name)).toEqual(['charlie']);
    expect(second.body.has_more).toBe(false);

    expectApiError(await mine.get('/v1/agents?limit=0'), 400, 'invalid_request_error', /limit/);
  });

  it('serves the console bundle at /console/ and redirects /console there', async () => {
    const page = await gateway.anonymous.get('/console/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Reverie console</title>');
    const bare = await fetch(`${gateway.anonymous.baseUrl}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
    expect((await gateway.anonymous.get('/console/assets/missing.js')).status).toBe(404);
  });

  it('says how to build the console when the bundle is missing', async () => {
    const bare = await startGateway({ CONSOLE_DIR: join(bundle, 'absent') });
    try {
      const page = await bare.anonymous.get('/console/');
      expect(page.status).toBe(404);
      expect(page.body).toMatch(/the console is not built .*npx nx build console/);
    } finally {
      await bare.close();
    }
  });
});
