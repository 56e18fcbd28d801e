import { KafkaUnavailableError } from '@reverie/kafka';
import type {
  IdempotencyKeyReader,
  IdempotencyKeyRecord,
  IdempotencyKeyWriter,
} from '@reverie/sessions-data-access';
import { IDEMPOTENT_ROUTES } from '@reverie/sessions-domain';
import {
  batchNotAcknowledged,
  idempotencyKeyOf,
  IdempotentRequests,
  mayStillApply,
  runNotAcknowledged,
  type KeyedRequest,
} from './idempotent-requests';

/** The collection as a map, with the writer's rule: an insert under a taken _id loses. */
function inMemoryKeys() {
  const stored = new Map<string, IdempotencyKeyRecord>();
  const reader = {
    find: async (id: string, now = new Date()) => {
      const r = stored.get(id);
      return r && r.expiresAt > now ? r : null;
    },
  };
  const writer = {
    claim: async (record: IdempotencyKeyRecord) => {
      const seen = stored.get(record._id);
      if (seen) return { claimed: false as const, record: seen };
      stored.set(record._id, record);
      return { claimed: true as const, record };
    },
  };
  const service = new IdempotentRequests(
    reader as unknown as IdempotencyKeyReader,
    writer as unknown as IdempotencyKeyWriter,
  );
  return { stored, service };
}

describe('IdempotentRequests', () => {
  const request = (key: string | undefined, body: unknown, tenantId = 'acme'): KeyedRequest => ({
    tenantId,
    route: IDEMPOTENT_ROUTES.createSession,
    key,
    request: { body },
  });
  let made = 0;
  const make = async () => {
    made += 1;
    return {
      resourceId: `ses_${made}`,
      plan: { sessionId: `ses_${made}`, messageId: `msg_${made}` },
    };
  };
  beforeEach(() => {
    made = 0;
  });

  it('makes a new plan for every request without a key, and stores nothing', async () => {
    const { stored, service } = inMemoryKeys();
    const a = await service.resolve(request(undefined, { agentId: 'a' }), make);
    const b = await service.resolve(request(undefined, { agentId: 'a' }), make);
    expect([a.plan.sessionId, b.plan.sessionId]).toEqual(['ses_1', 'ses_2']);
    expect(stored.size).toBe(0);
  });

  it('answers a retry under the same key with the first plan, without making another', async () => {
    const { stored, service } = inMemoryKeys();
    const first = await service.resolve(request('k1', { agentId: 'a', title: 't' }), make);
    // The same body with its keys in another order is the same request.
    const retry = await service.resolve(request('k1', { title: 't', agentId: 'a' }), make);
    expect(first).toEqual({ plan: { sessionId: 'ses_1', messageId: 'msg_1' }, replayed: false });
    expect(retry).toEqual({ plan: first.plan, replayed: true });
    expect(made).toBe(1);
    const record = stored.get('acme|POST /v1/sessions|k1');
    expect(record).toMatchObject({ tenantId: 'acme', key: 'k1', resourceId: 'ses_1' });
    expect(Number(record?.expiresAt) - Number(record?.createdAt)).toBe(24 * 3600 * 1000);
  });

  it('keeps the first plan when two requests race under a new key', async () => {
    const { service } = inMemoryKeys();
    const [a, b] = await Promise.all([
      service.resolve(request('k2', { agentId: 'a' }), make),
      service.resolve(request('k2', { agentId: 'a' }), make),
    ]);
    expect(b.plan).toEqual(a.plan);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
  });

  it('refuses the key with another request (422 idempotency_error), never reusing its answer', async () => {
    const { service } = inMemoryKeys();
    await service.resolve(request('k3', { agentId: 'a' }), make);
    const err = await service.resolve(request('k3', { agentId: 'b' }), make).catch((e) => e);
    expect(err).toMatchObject({ status: 422, type: 'idempotency_error' });
    expect(err.message).toMatch(/Idempotency-Key "k3" was already used for another request/);
    expect(made).toBe(1);
  });

  it("keeps tenants apart: another tenant's key of the same name is a new request", async () => {
    const { service } = inMemoryKeys();
    const a = await service.resolve(request('k4', { agentId: 'a' }, 'acme'), make);
    const b = await service.resolve(request('k4', { agentId: 'a' }, 'globex'), make);
    expect(b.plan.sessionId).not.toBe(a.plan.sessionId);
    expect(b.replayed).toBe(false);
  });

  it('does not claim the key when making the plan fails (a 404, a 409): a retry starts over', async () => {
    const { stored, service } = inMemoryKeys();
    const failing = () => Promise.reject(new Error('agent not found'));
    await expect(service.resolve(request('k5', { agentId: 'a' }), failing)).rejects.toThrow(
      'agent not found',
    );
    expect(stored.size).toBe(0);
    expect((await service.resolve(request('k5', { agentId: 'a' }), make)).replayed).toBe(false);
  });
});

describe('the Idempotency-Key header and the 503 it pairs with', () => {
  it('is a 400 naming the header when malformed', () => {
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf('abc')).toBe('abc');
    expect(() => idempotencyKeyOf('x'.repeat(300))).toThrow(
      expect.objectContaining({
        status: 400,
        type: 'invalid_request_error',
        message: expect.stringMatching(/^invalid Idempotency-Key header: it has 300 characters/),
      }),
    );
  });

  it('tells the client a request Kafka did not acknowledge may still be applied', () => {
    const refused = new KafkaUnavailableError('topic', 'no acknowledgement within 5000 ms');
    const keyed = mayStillApply(refused, true) as KafkaUnavailableError;
    const plain = mayStillApply(refused, false) as KafkaUnavailableError;
    expect(keyed.getStatus()).toBe(503);
    expect(keyed.message).toMatch(
      /may still be applied once Kafka is back; retry in 5 s with the same Idempotency-Key$/,
    );
    expect(plain.message).toMatch(/may still be applied.*send an Idempotency-Key header/);
    const other = new Error('not Kafka');
    expect(mayStillApply(other, true)).toBe(other);
  });

  it('says a managed session whose run command was not acknowledged is canceled, and how a retry runs it', () => {
    const refused = new KafkaUnavailableError('reverie.runs.commands.v1', 'no acknowledgement');
    const keyed = runNotAcknowledged(refused, 'ses_1', true) as KafkaUnavailableError;
    const plain = runNotAcknowledged(refused, 'ses_1', false) as KafkaUnavailableError;
    expect(keyed.getStatus()).toBe(503);
    expect(keyed.message).toMatch(
      /; session "ses_1" is canceled, its run command not acknowledged; retry in 5 s with the same Idempotency-Key to run it$/,
    );
    expect(plain.message).toMatch(/session "ses_1" is canceled.*a new session.*Idempotency-Key/);
    const other = new Error('not Kafka');
    expect(runNotAcknowledged(other, 'ses_1', true)).toBe(other);
  });

  it("says a batch's sessions whose run commands were not acknowledged are canceled, and that a plain retry runs every task again", () => {
    const refused = new KafkaUnavailableError('reverie.runs.commands.v1', 'no acknowledgement');
    const keyed = batchNotAcknowledged(refused, 'bat_1', true) as KafkaUnavailableError;
    const plain = batchNotAcknowledged(refused, 'bat_1', false) as KafkaUnavailableError;
    expect(keyed.message).toMatch(
      /; the sessions of batch "bat_1" whose run commands were not acknowledged are canceled; retry in 5 s with the same Idempotency-Key to run them$/,
    );
    expect(plain.message).toMatch(/a new batch, which runs every task again.*Idempotency-Key/);
  });
});
