import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { embeddedIndex, SESSIONS_QUERIES, supportingIndex, type DeclaredQuery } from './queries';
import { SessionsDataAccessModule } from './sessions-data-access.module';

type Plan = { stage?: string; inputStage?: Plan; inputStages?: Plan[]; queryPlan?: Plan };

function stages(plan: Plan | undefined): string[] {
  if (!plan) return [];
  return [
    ...(plan.stage ? [plan.stage] : []),
    ...stages(plan.inputStage),
    ...stages(plan.queryPlan),
    ...(plan.inputStages ?? []).flatMap(stages),
  ];
}

/**
 * The declared queries against the server the tests run on. On a real MongoDB (testcontainers
 * where Docker answers, or MONGO_URL pointing at one), each query's `explain` must show neither
 * a collection scan nor an in-memory sort. The embedded MongoDB-wire server has no query planner
 * to ask: there, each query's supporting index must exist on the server as declared.
 */
describe("the sessions domain's queries on the server", () => {
  const db = uniqueName('test_queries');
  let context: DataAccessContext;
  let realMongo = false;

  beforeAll(async () => {
    context = await startDataAccess(SessionsDataAccessModule, db);
    // The embedded server answers `explain` with "no such command".
    realMongo = await context.connection
      .db!.collection('sessions')
      .find({ tenantId: 'acme' })
      .explain('queryPlanner')
      .then((out) => (out as { queryPlanner?: unknown }).queryPlanner !== undefined)
      .catch(() => false);
  });
  afterAll(() => context?.close());

  const explain = async (q: DeclaredQuery) => {
    const cursor = context.connection.db!.collection(q.collection).find(q.filter as never);
    if (q.sort) cursor.sort(q.sort);
    const out = (await cursor.explain('queryPlanner')) as { queryPlanner: { winningPlan: Plan } };
    return stages(out.queryPlanner.winningPlan);
  };

  it('serves every declared query from an index', async () => {
    const problems: string[] = [];
    for (const q of SESSIONS_QUERIES) {
      if (realMongo) {
        const used = await explain(q);
        if (used.includes('COLLSCAN') || used.includes('SORT'))
          problems.push(`${q.serves}: ${used.join(' > ')}`);
        continue;
      }
      const wanted = JSON.stringify(supportingIndex(q));
      const onServer = (await context.connection.db!.collection(q.collection).indexes()).map((i) =>
        JSON.stringify(i.key),
      );
      if (!onServer.includes(wanted)) problems.push(`${q.serves}: ${wanted} not on the server`);
    }
    expect(problems).toEqual([]);
  });

  it('has, on the server, the unique index each per-session lookup needs on the embedded server', async () => {
    const problems: string[] = [];
    for (const q of SESSIONS_QUERIES.filter((d) => d.perSession)) {
      const wanted = JSON.stringify(embeddedIndex(q));
      const onServer = (await context.connection.db!.collection(q.collection).indexes())
        .filter((i) => i.unique || JSON.stringify(i.key) === '{"_id":1}')
        .map((i) => JSON.stringify(i.key));
      if (!onServer.includes(wanted))
        problems.push(`${q.serves}: unique ${wanted} not on the server`);
    }
    expect(problems).toEqual([]);
  });
});
