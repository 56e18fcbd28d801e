import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DreamRepository } from '@reverie/dreaming-data-access';
import { dayStart } from '@reverie/dreaming-domain';
import { anAgent } from '@reverie/testing';
import { expectApiError, startGateway, type RunningGateway } from './gateway.harness';

// What the operator console needs from the gateway besides the domain APIs: who a key is
// (GET /v1/me), the tenant's agents (GET /v1/agents), an agent's dreaming now
// (GET /v1/agents/:id/dreaming), sessions in a time range and the console's bundle at /console.
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

  it('GET /v1/agents/:id/dreaming: paused by which switch, next slot, tokens spent today', async () => {
    const api = await gateway.tenant();
    const other = await gateway.tenant();
    const agent = await api.post(
      '/v1/agents',
      anAgent({
        dreaming: {
          enabled: true,
          frequency: 'cron',
          cron: '0 */6 * * *',
          timezone: 'Europe/Paris',
          budget: { tokensPerDay: 50_000, tokensPerDream: 20_000 },
        },
      }),
    );
    expect(agent.status).toBe(201);
    const id = agent.body.id as string;
    const tenantId = (await api.get('/v1/me')).body.tenant as string;

    // A dream the scheduler started today that spent tokens, stored by the dreams' own writer.
    const dreams = gateway.app.get(DreamRepository);
    const dreamId = `drm_${Date.now().toString(16).padStart(12, '0')}${'ab'.repeat(10)}`;
    await dreams.create({
      _id: dreamId,
      tenantId,
      agentId: id,
      input: { type: 'since_last_dream', limit: 5 },
      instructions: '',
      model: { provider: 'builtin' },
      publish: 'propose',
      trigger: 'schedule',
      tokenBudget: 20_000,
    });
    expect(await dreams.claim(dreamId, 'console-spec', 60_000)).toBeTruthy();
    const usage = {
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    };
    expect(await dreams.finish(dreamId, 'console-spec', { status: 'completed', usage })).toBe(true);

    const now = Date.now();
    const read = await api.get(`/v1/agents/${id}/dreaming`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      type: 'agent_dreaming',
      agent_id: id,
      enabled: true,
      paused: false,
      paused_by: null,
      schedule: { frequency: 'cron', cron: '0 */6 * * *', timezone: 'Europe/Paris', due: false },
      budget: {
        tokens_per_day: 50_000,
        tokens_per_dream: 20_000,
        tokens_spent_today: 1500,
        tokens_left_today: 48_500,
        day_started_at: dayStart(new Date(read.body.as_of), 'Europe/Paris').toISOString(),
      },
    });
    // The next slot is the first of 00:00, 06:00, 12:00, 18:00 (Paris) after now: within 6 hours.
    const next = Date.parse(read.body.schedule.next_slot);
    expect(next).toBeGreaterThan(now - 60_000);
    expect(next - now).toBeLessThanOrEqual(6 * 3_600_000);
    expect(read.body.last_scheduled_dream_at).not.toBeNull();

    // The tenant's kill switch holds over the agent's.
    expect((await api.put('/v1/dreaming/pause', { paused: true, reason: 'audit' })).status).toBe(
      200,
    );
    expect((await api.get(`/v1/agents/${id}/dreaming`)).body).toMatchObject({
      paused: true,
      paused_by: 'tenant',
      pause_reason: 'audit',
    });

    expectApiError(await other.get(`/v1/agents/${id}/dreaming`), 404, 'not_found_error', /agent/);
  });

  it('GET /v1/sessions?from=&to= lists the sessions started in the range; bad ranges are 400s', async () => {
    const api = await gateway.tenant();
    const agentId = (await api.post('/v1/agents', anAgent())).body.id as string;
    const first = await api.post('/v1/sessions', { agentId, title: 'first' });
    await new Promise((r) => setTimeout(r, 20));
    const cut = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const second = await api.post('/v1/sessions', { agentId, title: 'second' });
    const ids = async (query: string) =>
      ((await api.get(`/v1/sessions?${query}`)).body.data as { id: string }[]).map((s) => s.id);

    expect(await ids(`agentId=${agentId}&from=${cut}`)).toEqual([second.body.id]);
    expect(await ids(`agentId=${agentId}&to=${cut}`)).toEqual([first.body.id]);
    expect(await ids(`from=${encodeURIComponent('2000-01-01T00:00:00+01:00')}&to=${cut}`)).toEqual([
      first.body.id,
    ]);
    // With the cursor: the page after the second session, still in the range.
    expect(
      await ids(`agentId=${agentId}&from=2000-01-01T00:00:00Z&after_id=${second.body.id}`),
    ).toEqual([first.body.id]);

    expectApiError(
      await api.get('/v1/sessions?from=yesterday'),
      400,
      'invalid_request_error',
      /from.*ISO 8601/,
    );
    expectApiError(
      await api.get(`/v1/sessions?from=${cut}&to=${cut}`),
      400,
      'invalid_request_error',
      /to.*later than from/,
    );
    expectApiError(
      await api.get('/v1/sessions?to=1969-12-31T00:00:00Z'),
      400,
      'invalid_request_error',
      /to.*1970/,
    );
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
      // The server's directories are not the caller's business.
      expect(page.body).not.toContain(bundle);
    } finally {
      await bare.close();
    }
  });
});
