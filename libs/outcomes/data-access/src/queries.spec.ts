import { embeddedIndex, OUTCOMES_QUERIES, OUTCOMES_SCHEMAS, supportingIndex } from './queries';

describe("the outcomes domain's per-grade queries and their indexes", () => {
  it.each(OUTCOMES_QUERIES.map((q) => [q.serves, q] as const))('%s has an index', (_, q) => {
    expect(supportingIndex(q)).not.toBeNull();
  });

  it('declares queries for every collection it owns', () => {
    const queried = new Set(OUTCOMES_QUERIES.map((q) => q.collection));
    expect([...queried].sort()).toEqual(Object.keys(OUTCOMES_SCHEMAS).sort());
  });

  it.each(OUTCOMES_QUERIES.filter((q) => q.perSession).map((q) => [q.serves, q] as const))(
    '%s has, per grade, an index the embedded server uses',
    (_, q) => {
      expect(embeddedIndex(q)).not.toBeNull();
    },
  );

  it("finds none for the latest version by a sort (the grade's read before heads; the check can fail)", () => {
    const bySort = OUTCOMES_QUERIES.find((q) => q.sort?.version === -1)!;
    expect(supportingIndex(bySort)).toEqual({ tenantId: 1, agentId: 1, version: -1 });
    expect(embeddedIndex(bySort)).toBeNull();
    expect(embeddedIndex({ ...bySort, filter: { _id: 'x', tenantId: 'acme' } })).toBeNull();
  });
});
