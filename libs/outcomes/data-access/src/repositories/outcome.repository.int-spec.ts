import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { OutcomesDataAccessModule } from '../outcomes-data-access.module';
import { UnknownOutcomeCursorError } from './outcome-errors';
import { OutcomeRepository, type OutcomeRecord } from './outcome.repository';

const T0 = new Date('2025-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function anOutcome(overrides: Partial<OutcomeRecord> = {}): OutcomeRecord {
  return {
    _id: uniqueName('out'),
    tenantId: 'acme',
    agentId: 'agt_1',
    sessionId: 'ses_1',
    iteration: 1,
    definitionVersion: 1,
    maxIterations: 3,
    result: 'needs_revision',
    score: 0.5,
    criteria: [
      {
        id: 'safe',
        kind: 'bound',
        weight: 1,
        required: true,
        gradable: true,
        passed: false,
        score: 0,
        explanation: 'touchdown.safe was false',
        steps: [41],
      },
    ],
    failedCriteria: ['safe'],
    summary: 'safe: touchdown.safe was false',
    judgeUsage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    signals: [{ kind: 'error', step: 12, detail: 'engine stalled' }],
    regrade: false,
    gradedAt: at(0),
    ...overrides,
  };
}

/** The repository against the real MongoDB-wire server. */
describe('OutcomeRepository', () => {
  const db = uniqueName('test_outcomes');
  let context: DataAccessContext;
  let repo: OutcomeRepository;

  beforeAll(async () => {
    context = await startDataAccess(OutcomesDataAccessModule, db);
    repo = context.app.get(OutcomeRepository);
  });
  afterAll(() => context?.close());

  it('records an outcome once however often it is delivered, and reads it back whole', async () => {
    const outcome = anOutcome({ sessionId: uniqueName('ses') });
    await repo.record(outcome);
    await repo.record(outcome);
    await Promise.all([repo.record(outcome), repo.record(outcome)]);
    expect(await repo.forSession('acme', outcome.sessionId)).toEqual([outcome]);
    expect(await repo.findById('acme', outcome._id)).toEqual(outcome);
    expect(await repo.findById('other-tenant', outcome._id)).toBeNull();
    // A changed redelivery replaces the document (the grader's latest word on that id).
    await repo.record({ ...outcome, summary: 'again' });
    expect(await repo.latestForSession('acme', outcome.sessionId)).toEqual({
      ...outcome,
      summary: 'again',
    });
  });

  it("reads a session's latest (highest iteration, then latest grade) and its history oldest first", async () => {
    const sessionId = uniqueName('ses');
    const first = anOutcome({ sessionId, iteration: 1, gradedAt: at(1) });
    const second = anOutcome({ sessionId, iteration: 2, gradedAt: at(2), result: 'satisfied' });
    const regraded = anOutcome({ sessionId, iteration: 2, gradedAt: at(9), regrade: true });
    const lateOld = anOutcome({ sessionId, iteration: 1, gradedAt: at(10), regrade: true });
    for (const o of [regraded, lateOld, second, first]) await repo.record(o);

    expect((await repo.latestForSession('acme', sessionId))?._id).toBe(regraded._id);
    expect((await repo.forSession('acme', sessionId)).map((o) => o._id)).toEqual([
      first._id,
      lateOld._id,
      second._id,
      regraded._id,
    ]);
    expect(await repo.latestForSession('acme', uniqueName('ses'))).toBeNull();
  });

  it('lists newest graded first, filtered and paged by (gradedAt, _id)', async () => {
    const tenantId = uniqueName('tenant');
    // Two share a grading time: the id breaks the tie.
    const outcomes = [
      anOutcome({ tenantId, _id: 'out_c', gradedAt: at(3), result: 'satisfied' }),
      anOutcome({ tenantId, _id: 'out_a', gradedAt: at(2), agentId: 'agt_2' }),
      anOutcome({ tenantId, _id: 'out_b', gradedAt: at(2), result: 'failed' }),
      anOutcome({ tenantId, _id: 'out_d', gradedAt: at(1), result: 'satisfied' }),
    ];
    for (const o of outcomes) await repo.record(o);
    const ids = (page: { data: OutcomeRecord[] }) => page.data.map((o) => o._id);

    const first = await repo.list({ tenantId, limit: 2 });
    expect(ids(first)).toEqual(['out_c', 'out_b']);
    expect(first.hasMore).toBe(true);
    const second = await repo.list({ tenantId, limit: 2, afterId: 'out_b' });
    expect(ids(second)).toEqual(['out_a', 'out_d']);
    expect(second.hasMore).toBe(false);

    expect(ids(await repo.list({ tenantId, limit: 10, result: 'satisfied' }))).toEqual([
      'out_c',
      'out_d',
    ]);
    expect(ids(await repo.list({ tenantId, limit: 10, agentId: 'agt_2' }))).toEqual(['out_a']);
    expect(
      ids(await repo.list({ tenantId, limit: 1, result: 'satisfied', afterId: 'out_c' })),
    ).toEqual(['out_d']);
    await expect(repo.list({ tenantId, limit: 2, afterId: 'out_nope' })).rejects.toBeInstanceOf(
      UnknownOutcomeCursorError,
    );
  });

  it("never shows one tenant's outcomes to another", async () => {
    const outcome = anOutcome({ sessionId: uniqueName('ses') });
    await repo.record(outcome);
    expect(await repo.latestForSession('globex', outcome.sessionId)).toBeNull();
    expect(await repo.forSession('globex', outcome.sessionId)).toEqual([]);
    await expect(repo.list({ tenantId: 'globex', limit: 5, afterId: outcome._id })).rejects.toThrow(
      /after_id/,
    );
    // A write under another tenant cannot replace this tenant's document.
    await expect(repo.record({ ...outcome, tenantId: 'globex' })).rejects.toThrow(
      /E11000|duplicate/i,
    );
    expect(await repo.forSession('acme', outcome.sessionId)).toEqual([outcome]);
  });
});
