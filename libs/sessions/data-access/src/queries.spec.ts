import {
  embeddedIndex,
  SESSIONS_QUERIES,
  SESSIONS_SCHEMAS,
  serves,
  supportingIndex,
} from './queries';

describe("the sessions domain's queries and their indexes", () => {
  it.each(SESSIONS_QUERIES.map((q) => [q.serves, q] as const))('%s has an index', (_, q) => {
    expect(supportingIndex(q)).not.toBeNull();
  });

  it('declares queries for every collection it owns', () => {
    const queried = new Set(SESSIONS_QUERIES.map((q) => q.collection));
    expect([...queried].sort()).toEqual(Object.keys(SESSIONS_SCHEMAS).sort());
  });

  it('refuses an index that would scan or sort in memory (the check can fail)', () => {
    const list = {
      serves: 'x',
      collection: 'sessions',
      filter: { tenantId: 't' },
      sort: { _id: -1 as const },
    };
    expect(serves({ tenantId: 1, _id: -1 }, list)).toBe(true);
    expect(serves({ tenantId: 1, status: 1, _id: -1 }, list)).toBe(false); // sort after a gap
    expect(serves({ agentId: 1, _id: -1 }, list)).toBe(false); // not the tenant's
    expect(serves({ tenantId: 1, _id: 1, x: 1 }, { ...list, sort: { _id: -1, x: 1 } })).toBe(false);
    const unindexed = {
      serves: 'x',
      collection: 'sessions',
      filter: { tenantId: 't', title: 'a' },
      sort: { title: 1 as const },
    };
    expect(supportingIndex(unindexed)).toBeNull();
  });
});

describe('the queries sent once per session, on the embedded MongoDB-wire server', () => {
  const perSession = SESSIONS_QUERIES.filter((q) => q.perSession);

  it('declares some', () => {
    expect(perSession.length).toBeGreaterThan(0);
  });

  it.each(perSession.map((q) => [q.serves, q] as const))(
    '%s has a unique index on exactly its fields',
    (_, q) => {
      expect(embeddedIndex(q)).not.toBeNull();
    },
  );

  it('finds none for a filter with more fields than any unique index (the check can fail)', () => {
    const q = { serves: 'x', collection: 'sessions', filter: { _id: 'x', tenantId: 't', a: 1 } };
    expect(embeddedIndex(q)).toBeNull();
    expect(embeddedIndex({ ...q, filter: { _id: 'x' } })).toEqual({ _id: 1 });
    expect(embeddedIndex({ ...q, filter: { _id: 'x', tenantId: 't' } })).toEqual({
      _id: 1,
      tenantId: 1,
    });
    expect(embeddedIndex({ ...q, filter: { _id: { $gt: 'x' }, tenantId: 't' } })).toBeNull();
  });
});
