import type { DynamicModule, Type } from '@nestjs/common';
import type { DeclaredQuery, IndexKeys } from '@reverie/service-kit';
import type { Connection } from 'mongoose';
import { startDataAccess, type DataAccessContext } from './data-access-context';
import { uniqueName } from './test-stack';

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

/** How a domain's `queries.ts` finds the indexes of its declared queries. */
export interface QueryIndexes {
  supportingIndex(q: DeclaredQuery): IndexKeys | null;
  embeddedIndex(q: DeclaredQuery): IndexKeys | null;
}

/** Whether the server is a real MongoDB (the embedded server answers `explain` with an error). */
export async function answersExplain(connection: Connection, collection: string): Promise<boolean> {
  return connection
    .db!.collection(collection)
    .find({})
    .explain('queryPlanner')
    .then((out) => (out as { queryPlanner?: unknown }).queryPlanner !== undefined)
    .catch(() => false);
}

async function explain(connection: Connection, q: DeclaredQuery): Promise<string[]> {
  const cursor = connection.db!.collection(q.collection).find(q.filter as never);
  if (q.sort) cursor.sort(q.sort);
  const out = (await cursor.explain('queryPlanner')) as { queryPlanner: { winningPlan: Plan } };
  return stages(out.queryPlanner.winningPlan);
}

async function keysOnServer(
  connection: Connection,
  collection: string,
  uniqueOnly: boolean,
): Promise<string[]> {
  const indexes = await connection.db!.collection(collection).indexes();
  return indexes
    .filter((i) => !uniqueOnly || i.unique || JSON.stringify(i.key) === '{"_id":1}')
    .map((i) => JSON.stringify(i.key));
}

/**
 * The declared queries against the server the tests run on, one line per problem. On a real
 * MongoDB, each query's `explain` must show neither a collection scan nor an in-memory sort. The
 * embedded MongoDB-wire server has no query planner to ask: there, each query's supporting index
 * must exist on the server as declared.
 */
export async function servedQueryProblems(
  connection: Connection,
  queries: DeclaredQuery[],
  indexes: QueryIndexes,
  realMongo: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  for (const q of queries) {
    if (realMongo) {
      const used = await explain(connection, q);
      if (used.includes('COLLSCAN') || used.includes('SORT'))
        problems.push(`${q.serves}: ${used.join(' > ')}`);
      continue;
    }
    const wanted = JSON.stringify(indexes.supportingIndex(q));
    if (!(await keysOnServer(connection, q.collection, false)).includes(wanted))
      problems.push(`${q.serves}: ${wanted} not on the server`);
  }
  return problems;
}

/** The per-session queries whose unique index (what the embedded server uses) is not on the server. */
export async function embeddedIndexProblems(
  connection: Connection,
  queries: DeclaredQuery[],
  indexes: QueryIndexes,
): Promise<string[]> {
  const problems: string[] = [];
  for (const q of queries.filter((d) => d.perSession)) {
    const wanted = JSON.stringify(indexes.embeddedIndex(q));
    if (!(await keysOnServer(connection, q.collection, true)).includes(wanted))
      problems.push(`${q.serves}: unique ${wanted} not on the server`);
  }
  return problems;
}

/** What `describeDeclaredQueries` checks: a domain's data-access module and its query list. */
export interface DeclaredQueriesSuite extends QueryIndexes {
  /** The domain, for the suite's title ("the sessions domain's queries on the server"). */
  domain: string;
  dataAccess: Type | DynamicModule;
  queries: DeclaredQuery[];
  /** A collection of the domain, asked for an `explain` to tell a real MongoDB from the embedded server. */
  probeCollection: string;
}

/**
 * The declared queries of one domain against the server the tests run on (see
 * `servedQueryProblems`): on a real MongoDB (testcontainers where Docker answers, or MONGO_URL
 * pointing at one) by `explain`, on the embedded MongoDB-wire server by the indexes it holds.
 */
export function describeDeclaredQueries(suite: DeclaredQueriesSuite): void {
  const { supportingIndex, embeddedIndex } = suite;
  const indexes = { supportingIndex, embeddedIndex };
  describe(`the ${suite.domain} domain's queries on the server`, () => {
    const db = uniqueName(`test_${suite.domain}_queries`);
    let context: DataAccessContext;
    let realMongo = false;

    beforeAll(async () => {
      context = await startDataAccess(suite.dataAccess, db);
      realMongo = await answersExplain(context.connection, suite.probeCollection);
    });
    afterAll(() => context?.close());

    it('serves every declared query from an index', async () => {
      expect(
        await servedQueryProblems(context.connection, suite.queries, indexes, realMongo),
      ).toEqual([]);
    });

    it('has, on the server, the unique index each per-session lookup needs on the embedded server', async () => {
      expect(await embeddedIndexProblems(context.connection, suite.queries, indexes)).toEqual([]);
    });
  });
}
