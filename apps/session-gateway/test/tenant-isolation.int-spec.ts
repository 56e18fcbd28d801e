import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { anAgentWithSession, startGateway, type RunningGateway } from './gateway.harness';

describe('tenant isolation', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let bob: ApiClient;
  let aliceAgent: string;
  let aliceSession: string;

  beforeAll(async () => {
    gateway = await startGateway();
    [alice, bob] = await Promise.all([gateway.tenant('alice'), gateway.tenant('bob')]);
    ({ agentId: aliceAgent, sessionId: aliceSession } = await anAgentWithSession(alice));
    await alice.post(`/v1/sessions/${aliceSession}/events`, {
      events: [{ clientEventId: 'secret', type: 'message', role: 'user', content: 'alice only' }],
    });
    await alice.post(`/v1/sessions/${aliceSession}/feedback`, { rating: 'positive' });
    await expectEventually(async () => {
      expect((await alice.get(`/v1/sessions/${aliceSession}`)).body.eventCount).toBe(1);
    });
  });
  afterAll(() => gateway.close());

  it("cannot read another tenant's agent, session, events or feedback", async () => {
    for (const path of [
      `/v1/agents/${aliceAgent}`,
      `/v1/sessions/${aliceSession}`,
      `/v1/sessions/${aliceSession}/events`,
      `/v1/sessions/${aliceSession}/feedback`,
    ]) {
      const response = await bob.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(JSON.stringify(response.body)).not.toContain('alice only');
    }
    expect((await bob.get(`/v1/sessions?agentId=${aliceAgent}`)).body.data).toEqual([]);
    expect((await bob.get('/v1/sessions')).body.data).toEqual([]);
  });

  it("cannot write to another tenant's agent or session", async () => {
    expect((await bob.patch(`/v1/agents/${aliceAgent}`, { description: 'mine now' })).status).toBe(
      404,
    );
    expect((await bob.post('/v1/sessions', { agentId: aliceAgent })).status).toBe(404);
    const append = await bob.post(`/v1/sessions/${aliceSession}/events`, {
      events: [
        { clientEventId: 'intruder', type: 'message', role: 'user', content: 'bob was here' },
      ],
    });
    expect(append.status).toBe(404);
    expect(
      (await bob.post(`/v1/sessions/${aliceSession}/feedback`, { rating: 'negative' })).status,
    ).toBe(404);
    expect(
      (await bob.post(`/v1/sessions/${aliceSession}/end`, { status: 'canceled' })).status,
    ).toBe(404);

    const session = await alice.get(`/v1/sessions/${aliceSession}`);
    expect(session.body).toMatchObject({ status: 'running', eventCount: 1 });
    expect((await alice.get(`/v1/agents/${aliceAgent}`)).body.description).toBeNull();
    expect((await alice.get(`/v1/sessions/${aliceSession}/feedback`)).body.data).toHaveLength(1);
  });

  it('lets two tenants use the same agent name', async () => {
    const name = 'shared-name';
    expect((await alice.post('/v1/agents', anAgent({ name }))).status).toBe(201);
    expect((await bob.post('/v1/agents', anAgent({ name }))).status).toBe(201);
    expect((await alice.post('/v1/agents', anAgent({ name }))).status).toBe(409);
  });
});
