import {
  answersExplain,
  embeddedIndexProblems,
  servedQueryProblems,
  startDataAccess,
  uniqueName,
  type DataAccessContext,
} from '@reverie/testing/integration';
import { embeddedIndex, OUTCOMES_QUERIES, supportingIndex } from './queries';
import { OutcomesDataAccessModule } from './outcomes-data-access.module';

/**
 * The declared queries against the server the tests run on (see `servedQueryProblems`): on a
 * real MongoDB (testcontainers where Docker answers, or MONGO_URL pointing at one) by `explain`,
 * on the embedded MongoDB-wire server by the indexes it holds.
 */
describe("the outcomes domain's per-grade queries on the server", () => {
  const db = uniqueName('test_outcome_queries');
  let context: DataAccessContext;
  let realMongo = false;

  beforeAll(async () => {
    context = await startDataAccess(OutcomesDataAccessModule, db);
    realMongo = await answersExplain(context.connection, 'outcomes');
  });
  afterAll(() => context?.close());

  it('serves every declared query from an index', async () => {
    const indexes = { supportingIndex, embeddedIndex };
    expect(
      await servedQueryProblems(context.connection, OUTCOMES_QUERIES, indexes, realMongo),
    ).toEqual([]);
  });

  it('has, on the server, the unique index each per-session lookup needs on the embedded server', async () => {
    const indexes = { supportingIndex, embeddedIndex };
    expect(await embeddedIndexProblems(context.connection, OUTCOMES_QUERIES, indexes)).toEqual([]);
  });
});
