import type { ApiClient } from '@reverie/testing';
import {
  anAgentOf,
  ingestCaughtUp,
  keyed,
  startGateway,
  storedFeedback,
  type RunningGateway,
} from './gateway.harness';

// The outage case (Kafka down, 503s, keyed retries; a managed session run by an orchestrator) is
// in apps/orchestrator/test/keyed-outage.int-spec.ts.
describe('Idempotency-Key on POST /v1/sessions, POST /v1/sessions/:id/feedback and POST /v1/batches', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let bob: ApiClient;
  let aliceAgent: string;

  beforeAll(async () => {
    gateway = await startGateway();
    [alice, bob] = await Promise.all([gateway.tenant(), gateway.tenant()]);
    aliceAgent = await anAgentOf(alice);
  });
  afterAll(() => gateway.close());

  it('answers the same session to a create sent twice with one key, and stores it once', async () => {
    const body = { agentId: aliceAgent, title: 'ticket 42', metadata: { a: 1, b: [2] } };
    const first = await keyed(alice, '/v1/sessions', 'create-1', body);
    // The same request, its keys in another order: the same request.
    const again = await keyed(alice, '/v1/sessions', 'create-1', {
      metadata: { b: [2], a: 1 },
      title: 'ticket 42',
      agentId: aliceAgent,
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.playbooks).toEqual(first.body.playbooks);

    await ingestCaughtUp(alice, first.body.id, 'after-create');
    const listed = await alice.get(`/v1/sessions?agentId=${aliceAgent}`);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
    expect(listed.body.data[0]).toMatchObject({ title: 'ticket 42', status: 'running' });

    // Without a key, each request is a new session, as before.
    const plain = await alice.post('/v1/sessions', body);
    expect(plain.status).toBe(201);
    expect(plain.body.id).not.toBe(first.body.id);
  });

  it('answers the same managed session to a managed create sent twice with one key', async () => {
    const agentId = await anAgentOf(alice);
    const body = {
      agentId,
      run: { environment: 'ci-log-triage', task: { caseId: 'assertj_1944' } },
    };
    const first = await keyed(alice, '/v1/sessions', 'managed-1', body);
    const again = await keyed(alice, '/v1/sessions', 'managed-1', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const listed = await alice.get(`/v1/sessions?agentId=${agentId}`);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
  });

  it('answers the same batch to a batch sent twice with one key: one batch, each task once', async () => {
    const agentId = await anAgentOf(alice);
    const body = {
      agentId,
      title: 'nightly',
      run: { environment: 'ci-log-triage' },
      tasks: [{ caseId: 'assertj_1944' }, { caseId: 'assertj_1944' }, { caseId: 'assertj_1944' }],
    };
    const first = await keyed(alice, '/v1/batches', 'batch-1', body);
    const again = await keyed(alice, '/v1/batches', 'batch-1', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const ids = (b: { sessions: { id: string }[] }) => b.sessions.map((s) => s.id);
    expect(ids(again.body)).toEqual(ids(first.body));
    expect(ids(first.body)).toHaveLength(3);

    const batches = await alice.get(`/v1/batches?agentId=${agentId}`);
    expect(batches.body.data.map((b: { id: string }) => b.id)).toEqual([first.body.id]);
    const sessions = await alice.get(`/v1/sessions?agentId=${agentId}`);
    expect(sessions.body.data.map((s: { id: string }) => s.id).sort()).toEqual(
      ids(first.body).sort(),
    );
    // Another body under the key is another request.
    const other = await keyed(alice, '/v1/batches', 'batch-1', { ...body, title: 'other' });
    expect(other.status).toBe(422);
    expect(other.body.error.message).toMatch(/to POST \/v1\/batches/);
  });

  it('stores feedback sent twice with one key once, under the id both answers name', async () => {
    const session = await alice.post('/v1/sessions', { agentId: aliceAgent });
    const path = `/v1/sessions/${session.body.id}/feedback`;
    const body = { rating: 'positive', comment: 'solved it' };
    const first = await keyed(alice, path, 'fb-1', body);
    const again = await keyed(alice, path, 'fb-1', body);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await storedFeedback(alice, session.body.id)).toEqual([first.body.id]);
  });

  it('refuses a key reused with another request (422 idempotency_error), changing nothing', async () => {
    const first = await keyed(alice, '/v1/sessions', 'reused', { agentId: aliceAgent, title: 'a' });
    expect(first.status).toBe(201);
    const other = await keyed(alice, '/v1/sessions', 'reused', { agentId: aliceAgent, title: 'b' });
    expect(other.status).toBe(422);
    expect(other.body.error.type).toBe('idempotency_error');
    expect(other.body.error.message).toMatch(
      /^Idempotency-Key "reused" was already used for another request to POST \/v1\/sessions/,
    );
    expect(JSON.stringify(other.body)).not.toContain(first.body.id);

    // Feedback: the same key and body on another session is another request.
    const [s1, s2] = await Promise.all(
      [1, 2].map(async () => (await alice.post('/v1/sessions', { agentId: aliceAgent })).body.id),
    );
    const fb = { rating: 'positive' };
    expect((await keyed(alice, `/v1/sessions/${s1}/feedback`, 'fb-reused', fb)).status).toBe(202);
    const elsewhere = await keyed(alice, `/v1/sessions/${s2}/feedback`, 'fb-reused', fb);
    expect(elsewhere.status).toBe(422);
    expect(await storedFeedback(alice, s2)).toEqual([]);
  });

  it("keeps keys per tenant: another tenant's same key is its own request", async () => {
    const aliceFirst = await keyed(alice, '/v1/sessions', 'shared-key', { agentId: aliceAgent });
    expect(aliceFirst.status).toBe(201);
    // Bob with Alice's key and Alice's body: Alice's agent is not his (404), nothing of hers.
    const intruder = await keyed(bob, '/v1/sessions', 'shared-key', { agentId: aliceAgent });
    expect(intruder.status).toBe(404);
    expect(JSON.stringify(intruder.body)).not.toContain(aliceFirst.body.id);
    // Bob's own request under the same key is a new session of his.
    const bobAgent = await anAgentOf(bob);
    const bobs = await keyed(bob, '/v1/sessions', 'shared-key', { agentId: bobAgent });
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(aliceFirst.body.id);
    expect((await bob.get(`/v1/sessions/${aliceFirst.body.id}`)).status).toBe(404);
  });

  it('refuses a malformed key with a 400 naming the header', async () => {
    for (const key of ['k'.repeat(256), 'caf\u00e9']) {
      const answer = await keyed(alice, '/v1/sessions', key, { agentId: aliceAgent });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringMatching(/^invalid Idempotency-Key header: /),
      });
    }
  });
});
