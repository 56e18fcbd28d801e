import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { SessionsDataAccessModule } from '../sessions-data-access.module';
import { IdempotencyKeyReader, type IdempotencyKeyRecord } from './idempotency-key.reader';
import { IdempotencyKeyWriter } from './idempotency-key.writer';

const T0 = new Date('2026-11-20T10:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

const record = (id: string, fingerprint: string, createdAt = T0): IdempotencyKeyRecord => ({
  _id: id,
  tenantId: 'acme',
  route: 'POST /v1/sessions',
  key: id.split('|').pop() ?? id,
  fingerprint,
  resourceId: `ses_${fingerprint}`,
  plan: JSON.stringify({ fingerprint }),
  createdAt,
  expiresAt: new Date(createdAt.getTime() + DAY),
});

/** Claims on the server itself: the insert decides, and an expired record is taken over once. */
describe('IdempotencyKeyWriter and IdempotencyKeyReader', () => {
  const db = uniqueName('test_idempotency_keys');
  let context: DataAccessContext;
  let writer: IdempotencyKeyWriter;
  let reader: IdempotencyKeyReader;

  beforeAll(async () => {
    context = await startDataAccess(SessionsDataAccessModule, db);
    writer = context.app.get(IdempotencyKeyWriter);
    reader = context.app.get(IdempotencyKeyReader);
  }, 60_000);
  afterAll(() => context?.close());

  it('claims a new key once: a second claim finds the first record', async () => {
    const id = 'acme|POST /v1/sessions|k1';
    const now = new Date(T0.getTime() + 1_000);
    expect(await reader.find(id, now)).toBeNull();
    expect(await writer.claim(record(id, 'a'), now)).toMatchObject({ claimed: true });
    const second = await writer.claim(record(id, 'b'), now);
    expect(second).toMatchObject({
      claimed: false,
      record: { fingerprint: 'a', resourceId: 'ses_a' },
    });
    expect(await reader.find(id, now)).toMatchObject({ fingerprint: 'a' });
  });

  it('claims concurrent requests under one new key for exactly one of them', async () => {
    const id = 'acme|POST /v1/sessions|race';
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((f) => writer.claim(record(id, f), T0)),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    const winner = claims.find((c) => c.claimed)?.record.fingerprint;
    expect(claims.map((c) => c.record.fingerprint)).toEqual([winner, winner, winner, winner]);
  });

  it('forgets a key after 24 hours: the reader ignores it and a claim takes it over', async () => {
    const id = 'acme|POST /v1/sessions|old';
    await writer.claim(record(id, 'old'), T0);
    const later = new Date(T0.getTime() + DAY + 1);
    expect(await reader.find(id, later)).toBeNull();
    const takers = await Promise.all(
      ['x', 'y'].map((f) => writer.claim(record(id, f, later), later)),
    );
    expect(takers.filter((c) => c.claimed)).toHaveLength(1);
    const kept = await reader.find(id, later);
    expect(['x', 'y']).toContain(kept?.fingerprint);
    expect(takers.map((c) => c.record.fingerprint)).toEqual([kept?.fingerprint, kept?.fingerprint]);
  });
});
