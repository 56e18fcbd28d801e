import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { AgentReader } from './agent.reader';
import { SessionsReadersModule } from './sessions-readers.module';

const T0 = new Date('2025-03-01T00:00:00.000Z');
const dreaming = { enabled: true, frequency: 'daily', publish: 'propose', timezone: 'UTC' };

/** Reads agents as the gateway stores them (inserted here as raw documents of its shape). */
describe('AgentReader', () => {
  const db = uniqueName('test_agent_reader');
  let context: DataAccessContext;
  let reader: AgentReader;

  beforeAll(async () => {
    context = await startDataAccess(SessionsReadersModule, db);
    reader = context.app.get(AgentReader);
    await context.connection
      .collection<Record<string, unknown> & { _id: string }>('agents')
      .insertMany([
        {
          _id: 'agt_1',
          tenantId: 'acme',
          name: 'lander',
          roles: [],
          model: {},
          dreaming,
          createdAt: T0,
          updatedAt: T0,
        },
        {
          _id: 'agt_2',
          tenantId: 'globex',
          name: 'lander',
          roles: [],
          model: {},
          dreaming,
          createdAt: T0,
          updatedAt: T0,
        },
      ]);
  });

  afterAll(() => context?.close());

  it("finds this tenant's agent and no other tenant's", async () => {
    expect(await reader.exists('acme', 'agt_1')).toBe(true);
    expect(await reader.exists('acme', 'agt_2')).toBe(false);
    expect(await reader.exists('acme', 'agt_nope')).toBe(false);
  });

  it('reads only the id and the dreaming settings', async () => {
    expect(await reader.dreaming('acme', 'agt_1')).toEqual({ _id: 'agt_1', dreaming });
    expect(await reader.dreaming('acme', 'agt_2')).toBeNull();
  });
});
