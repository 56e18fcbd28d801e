import {
  ReverieApiError,
  ReverieClient,
  ROUTES,
  UNDOCUMENTED_ROUTES,
  type RouteName,
} from '@reverie/client';
import { startGateway, type RunningGateway } from './gateway.harness';

/**
 * The TypeScript client (@reverie/client) against the real gateway on the real stack: it covers
 * every route the served OpenAPI document lists (and names none the gateway lacks), and round
 * trips work with the API's own answers and errors.
 */
describe('@reverie/client against the gateway', () => {
  let gateway: RunningGateway;
  let client: ReverieClient;

  beforeAll(async () => {
    gateway = await startGateway();
    const tenant = await gateway.tenant();
    client = new ReverieClient({ baseUrl: tenant.baseUrl, apiKey: tenant.apiKey });
  });
  afterAll(() => gateway?.close());

  it("covers exactly the routes of the gateway's OpenAPI document", async () => {
    const doc = await gateway.anonymous.get('/docs-json');
    expect(doc.status).toBe(200);
    const served = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const known = (Object.keys(ROUTES) as RouteName[])
      .filter((name) => !UNDOCUMENTED_ROUTES.includes(name))
      .map((name) => `${ROUTES[name][0]} ${ROUTES[name][1]}`)
      .sort();
    expect(known).toEqual(served);
  });

  it('creates an agent and a session, sends events, reads them back in order, and ends it', async () => {
    const agent = await client.agents.create({
      name: 'client-round-trip',
      model: { provider: 'builtin' },
    });
    const session = await client.sessions.create({ agentId: agent.id, title: 'client round trip' });
    expect(session).toMatchObject({ type: 'session', agentId: agent.id, status: 'running' });
    const events = Array.from({ length: 5 }, (_, i) => ({
      clientEventId: `e${i}`,
      type: 'message',
      role: 'assistant',
      content: `step ${i}`,
    }));
    const sent = await client.sessions.appendEvents(session.id, events);
    expect(sent.accepted).toBe(5);
    // Stored asynchronously (Kafka, then the ingest consumer): poll until all five are there.
    let stored: { seq: number; clientEventId: string }[] = [];
    for (let i = 0; i < 100 && stored.length < 5; i++) {
      stored = await client.collect(client.sessions.allEvents(session.id));
      if (stored.length < 5) await new Promise((r) => setTimeout(r, 100));
    }
    expect(stored.map((e) => [e.seq, e.clientEventId])).toEqual(
      events.map((e, i) => [i + 1, e.clientEventId]),
    );
    const ended = await client.sessions.end(session.id, { status: 'completed' });
    expect(ended.status).toBe('completed');
    const listed = await client.collect(client.sessions.listAll({ agentId: agent.id }));
    expect(listed.map((s) => s.id)).toEqual([session.id]);
    const since = new Date(Date.parse(session.createdAt) - 1000).toISOString();
    const inRange = await client.sessions.list({ agentId: agent.id, from: since });
    expect(inRange.data.map((s) => s.id)).toEqual([session.id]);
    expect((await client.sessions.list({ agentId: agent.id, to: since })).data).toEqual([]);
    const dreaming = await client.dreaming.agent(agent.id);
    expect(dreaming).toMatchObject({ type: 'agent_dreaming', agent_id: agent.id, paused: false });
  });

  it("throws the gateway's own error for a bad request and an unknown id", async () => {
    const bad = await client.agents.create({ name: '' }).catch((e) => e);
    expect(bad).toBeInstanceOf(ReverieApiError);
    expect(bad).toMatchObject({ status: 400, type: 'invalid_request_error' });
    const missing = await client.dreams.get('drm_doesnotexist').catch((e) => e);
    expect(missing).toMatchObject({ status: 404, type: 'not_found_error' });
    const wrongKey = await client
      .withKey('rvk_wrong')
      .sessions.list()
      .catch((e) => e);
    expect(wrongKey).toMatchObject({ status: 401, unauthorized: true });
  });
});
