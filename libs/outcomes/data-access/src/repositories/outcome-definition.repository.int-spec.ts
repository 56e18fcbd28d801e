import { parseOutcomeDefinition, type OutcomeDefinition } from '@reverie/outcomes-domain';
import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { OutcomesDataAccessModule } from '../outcomes-data-access.module';
import { OutcomeDefinitionRepository } from './outcome-definition.repository';

const T0 = new Date('2025-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const rubric = (maxSteps: number): OutcomeDefinition =>
  parseOutcomeDefinition({
    description: 'Land softly and quickly',
    environment: 'lunar-lander',
    criteria: [
      { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true, required: true },
      { id: 'quick', kind: 'step_limit', maxSteps },
    ],
  });

/** The repository against the real MongoDB-wire server: no transactions, unique keys only. */
describe('OutcomeDefinitionRepository', () => {
  const db = uniqueName('test_outcome_definitions');
  let context: DataAccessContext;
  let repo: OutcomeDefinitionRepository;

  beforeAll(async () => {
    context = await startDataAccess(OutcomesDataAccessModule, db);
    repo = context.app.get(OutcomeDefinitionRepository);
  });
  afterAll(() => context?.close());

  it('numbers versions 1, 2, ... and reads the latest, one version, and the list newest first', async () => {
    const agent = uniqueName('agt');
    const v1 = await repo.create('acme', agent, rubric(100), 'key_a', at(0));
    expect(v1).toEqual({
      created: true,
      record: {
        _id: `acme/${agent}/1`,
        tenantId: 'acme',
        agentId: agent,
        version: 1,
        definition: rubric(100),
        author: 'key_a',
        createdAt: at(0),
      },
    });
    const v2 = await repo.create('acme', agent, rubric(50), 'key_b', at(1));
    expect(v2).toMatchObject({ created: true, record: { version: 2, author: 'key_b' } });

    expect(await repo.latest('acme', agent)).toEqual(v2.record);
    expect(await repo.version('acme', agent, 1)).toEqual(v1.record);
    expect(await repo.version('acme', agent, 3)).toBeNull();
    expect((await repo.list('acme', agent)).map((v) => v.version)).toEqual([2, 1]);
  });

  it('returns the latest version unchanged when the definition equals it', async () => {
    const agent = uniqueName('agt');
    const first = await repo.create('acme', agent, rubric(100), 'key_a', at(0));
    // The same definition with its keys in another order is the same definition.
    const reordered = JSON.parse(JSON.stringify(rubric(100)), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).reverse())
        : v,
    ) as OutcomeDefinition;
    const again = await repo.create('acme', agent, reordered, 'key_b', at(5));
    expect(again).toEqual({ created: false, record: first.record });
    expect(await repo.list('acme', agent)).toHaveLength(1);

    // Going back to an earlier definition is a change: it gets a new version.
    await repo.create('acme', agent, rubric(50), 'key_a', at(6));
    const back = await repo.create('acme', agent, rubric(100), 'key_a', at(7));
    expect(back).toMatchObject({ created: true, record: { version: 3 } });
  });

  it('gives each of several concurrent changes its own version number', async () => {
    const agent = uniqueName('agt');
    const results = await Promise.all(
      [10, 20, 30].map((steps) => repo.create('acme', agent, rubric(steps), 'key_a', at(steps))),
    );
    expect(results.every((r) => r.created)).toBe(true);
    expect(results.map((r) => r.record.version).sort()).toEqual([1, 2, 3]);
    const stored = await repo.list('acme', agent);
    expect(stored.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(new Set(stored.map((v) => JSON.stringify(v.definition))).size).toBe(3);
  });

  const versions = () =>
    context.connection.collection<Record<string, unknown> & { _id: string }>('outcome_definitions');
  const heads = () =>
    context.connection.collection<Record<string, unknown> & { _id: string }>(
      'outcome_definition_heads',
    );
  /** A version stored as `create` stores it, without moving the head (a crash before it did). */
  const storedOnly = (agent: string, version: number, steps: number) =>
    versions().insertOne({
      _id: `acme/${agent}/${version}`,
      tenantId: 'acme',
      agentId: agent,
      version,
      definition: rubric(steps),
      author: 'key_a',
      createdAt: at(version),
    });

  it("keeps the agent's head on its latest version", async () => {
    const agent = uniqueName('agt');
    expect(await heads().findOne({ _id: `acme/${agent}` })).toBeNull();
    await repo.create('acme', agent, rubric(100), 'key_a', at(0));
    expect(await heads().findOne({ _id: `acme/${agent}` })).toEqual({
      _id: `acme/${agent}`,
      tenantId: 'acme',
      agentId: agent,
      version: 1,
    });
    await repo.create('acme', agent, rubric(50), 'key_a', at(1));
    await repo.create('acme', agent, rubric(50), 'key_a', at(2)); // the same: no new version
    expect(await heads().findOne({ _id: `acme/${agent}` })).toMatchObject({ version: 2 });
  });

  it('finds a version stored while the head was one behind, and builds the next on it', async () => {
    const agent = uniqueName('agt');
    await repo.create('acme', agent, rubric(100), 'key_a', at(0));
    await storedOnly(agent, 2, 70);
    expect(await repo.latest('acme', agent)).toMatchObject({ version: 2, definition: rubric(70) });
    const next = await repo.create('acme', agent, rubric(60), 'key_a', at(3));
    expect(next).toMatchObject({ created: true, record: { version: 3 } });
    expect(await heads().findOne({ _id: `acme/${agent}` })).toMatchObject({ version: 3 });
    expect(await repo.latest('acme', agent)).toEqual(next.record);
  });

  it('reads the latest of an agent whose versions were stored before heads existed, and gives it a head on its next change', async () => {
    const agent = uniqueName('agt');
    for (const v of [1, 2, 3]) await storedOnly(agent, v, 100 - v);
    expect(await repo.latest('acme', agent)).toMatchObject({ version: 3, definition: rubric(97) });
    expect(await repo.latest('globex', agent)).toBeNull();
    const next = await repo.create('acme', agent, rubric(10), 'key_a', at(9));
    expect(next).toMatchObject({ created: true, record: { version: 4 } });
    expect(await heads().findOne({ _id: `acme/${agent}` })).toMatchObject({ version: 4 });
    expect(await repo.latest('acme', agent)).toEqual(next.record);
  });

  it('gives concurrent changes of an agent with a head their own numbers, and the head the highest', async () => {
    const agent = uniqueName('agt');
    await repo.create('acme', agent, rubric(1), 'key_a', at(0));
    const results = await Promise.all(
      [10, 20, 30, 40].map((steps) =>
        repo.create('acme', agent, rubric(steps), 'key_a', at(steps)),
      ),
    );
    expect(results.map((r) => r.record.version).sort()).toEqual([2, 3, 4, 5]);
    expect(await heads().findOne({ _id: `acme/${agent}` })).toMatchObject({ version: 5 });
    expect(await repo.latest('acme', agent)).toMatchObject({ version: 5 });
  });

  it("never shows one tenant's definitions to another", async () => {
    const agent = uniqueName('agt');
    await repo.create('acme', agent, rubric(100), 'key_a', at(0));
    expect(await repo.latest('globex', agent)).toBeNull();
    expect(await repo.version('globex', agent, 1)).toBeNull();
    expect(await repo.list('globex', agent)).toEqual([]);
    // Another tenant's first version is its own version 1.
    const theirs = await repo.create('globex', agent, rubric(100), 'key_g', at(1));
    expect(theirs).toMatchObject({ created: true, record: { _id: `globex/${agent}/1` } });
  });
});
